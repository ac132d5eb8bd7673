import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MsgSend } from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";
import { toHex } from "@cosmjs/encoding";
import { afterAll, describe, expect, it } from "vitest";
import { Chain } from "../../../src/devnet/chain/chain.js";
import { readChainSnapshot, writeChainSnapshot } from "../../../src/devnet/chain/chain-snapshot.js";
import { buildGenesisState } from "../../../src/devnet/chain/genesis.js";
import { ALL_HANDLERS, END_BLOCKERS } from "../../../src/devnet/chain/modules/index.js";
import { deriveDevnetKeys } from "../../../src/devnet/devnet-wallet.js";
import { InProcessSigner } from "../../../src/devnet/in-process-signer.js";

const dir = mkdtempSync(join(tmpdir(), "devnet-snapshot-"));

async function devChain() {
  const keys = await deriveDevnetKeys(1);
  const state = buildGenesisState([
    { address: keys.faucet, coins: [{ denom: "uakt", amount: 10n ** 12n }] },
    { address: keys.auditor, coins: [{ denom: "uakt", amount: 10n ** 9n }] },
  ]);
  const chain = new Chain({
    chainId: "snapshot-devnet-1",
    state,
    handlers: ALL_HANDLERS,
    endBlockers: END_BLOCKERS,
    minGasPriceUakt: "0.025",
    genesisTime: new Date("2026-01-01T00:00:00Z"),
  });
  return { keys, chain, signer: new InProcessSigner(chain, keys.wallet, keys.accounts) };
}

const send = (from: string, to: string, amount: string) => [
  {
    typeUrl: "/cosmos.bank.v1beta1.MsgSend",
    value: MsgSend.encode(
      MsgSend.fromPartial({ fromAddress: from, toAddress: to, amount: [{ denom: "uakt", amount }] }),
    ).finish(),
  },
];

describe("devnet chain snapshot", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("restores state, blocks and txs from the file, and the chain goes on from there", async () => {
    const before = await devChain();
    const { faucet, auditor } = before.keys;
    const hash = await before.signer.broadcast(faucet, send(faucet, auditor, "1234"));
    before.chain.produceBlock();
    before.chain.produceBlock();
    expect(before.chain.getTx(hash)?.code).toBe(0);
    const path = join(dir, "chain.json");
    writeChainSnapshot(path, before.chain.snapshot());

    const after = await devChain();
    after.chain.restore(readChainSnapshot(path));
    expect(after.chain.height).toBe(before.chain.height);
    expect(toHex(after.chain.latestBlock.hash)).toBe(toHex(before.chain.latestBlock.hash));
    expect(after.chain.latestBlock.time).toEqual(before.chain.latestBlock.time);
    expect(after.chain.getTx(hash)?.events).toEqual(before.chain.getTx(hash)?.events);
    expect(after.chain.state.balancesOf(auditor)).toEqual(before.chain.state.balancesOf(auditor));
    expect(after.chain.state.accounts.get(faucet)).toEqual(before.chain.state.accounts.get(faucet));

    // The faucet's sequence carries on (a replayed sequence would be refused), and blocks link up.
    const next = await after.signer.broadcast(faucet, send(faucet, auditor, "1"));
    const committed = after.chain.produceBlock();
    expect(after.chain.getTx(next)?.code).toBe(0);
    expect(committed.block.height).toBe(before.chain.height + 1n);
    expect(toHex(committed.block.lastBlockHash!)).toBe(toHex(before.chain.latestBlock.hash));
    expect(after.chain.state.balance(auditor, "uakt")).toBe(before.chain.state.balance(auditor, "uakt") + 1n);
  });

  it("refuses a snapshot of another chain", async () => {
    const { chain } = await devChain();
    const path = join(dir, "other.json");
    writeChainSnapshot(path, { ...chain.snapshot(), chainId: "other-1" });
    expect(() => chain.restore(readChainSnapshot(path))).toThrow(/other-1/);
  });
});
