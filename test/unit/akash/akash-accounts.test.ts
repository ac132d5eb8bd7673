import { describe, expect, it } from "vitest";
import type { AkashChain, DeploymentInfo, ProviderGateway } from "../../../src/services/akash/index.js";
import { AkashAccounts } from "../../../src/services/akash/index.js";
import type { AkashWallets } from "../../../src/services/keys/index.js";

const address = (index: number) => `akash1owner${index}`;

/** A chain that knows only its owner's deployments (as the real one: queries are by owner). */
function chainOf(owner: string, dseqs: string[]): AkashChain {
  const deployment = async (dseq: string): Promise<DeploymentInfo | null> =>
    dseqs.includes(dseq)
      ? { owner, dseq, state: "active", manifestVersion: "ab", createdAtHeight: 1, escrow: null }
      : null;
  return { owner, chainId: "devnet", deployment, close: async () => {} } as unknown as AkashChain;
}
const gateway = { leaseStatus: async () => null } as unknown as ProviderGateway;

function accounts(deployments: Record<number, string[]>) {
  const connected: number[] = [];
  const opened = new AkashAccounts({
    initial: { index: 0, chain: chainOf(address(0), deployments[0] ?? []), gateway },
    connect: async (wallets) => {
      const index = Number(wallets.address.replace("akash1owner", ""));
      connected.push(index);
      return { chain: chainOf(wallets.address, deployments[index] ?? []), gateway };
    },
    wallets: async (index) => ({ address: address(index) }) as AkashWallets,
    addressAt: address,
  });
  return { opened, connected };
}

describe("the agent's Akash accounts by key index", () => {
  it("signs as the primary, follows a rotation, and reads the old key's lease through the old account", async () => {
    const { opened, connected } = accounts({ 0: ["100"], 1: ["200"] });
    expect(opened.chain.owner).toBe(address(0));
    await opened.use(1);
    expect(connected).toEqual([1]);
    expect(opened.chain.owner).toBe(address(1));
    expect((await opened.chain.deployment("200"))?.owner).toBe(address(1));
    // The deployment that still serves during the move is the old key's.
    expect((await opened.chain.deployment("100"))?.owner).toBe(address(0));
    expect(await opened.chain.deployment("300")).toBeNull();
  });

  it("finds the account of an owner among the agent's indices, and refuses an address that is not the agent's", async () => {
    const { opened, connected } = accounts({});
    await opened.use(2);
    expect((await opened.accountOf(address(0))).index).toBe(0);
    expect((await opened.accountOf(address(2))).index).toBe(2);
    expect(connected).toEqual([2]);
    await expect(opened.accountOf("akash1stranger")).rejects.toThrow(
      /no key of this agent up to index 3 owns akash1stranger/,
    );
  });
});
