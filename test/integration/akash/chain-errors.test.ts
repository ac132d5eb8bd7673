import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { EffectError, type FailureKind } from "../../../src/domain/index.js";
import { AgentError } from "../../../src/errors.js";
import {
  AkashEndpointError,
  ChainIdMismatchError,
  connectAkash,
  endpointsFromDevnet,
  type LeaseKey,
  leaseStateOf,
  manifestOfSdl,
  resolveDevnetEndpoints,
} from "../../../src/services/akash/index.js";
import { openAgentStore } from "../../../src/services/store/index.js";
import { startTestDevnet } from "../../support/devnet.js";
import { tenantSdl } from "../../support/devnet-sdl.js";
import { type AgentUnderTest, eventually, FAST, freshDseq, startAgent } from "./akash-test-kit.js";

/** The kind an effect failed with (fails the test if it did not fail with an EffectError). */
async function kindOf(effect: Promise<unknown>): Promise<FailureKind> {
  const error = await effect.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EffectError);
  return (error as EffectError).kind;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("akash service on the devnet: connecting, and how failures reach the machines", () => {
  let devnet: DevnetHandle;
  let agent: AgentUnderTest;

  /** A web deployment every provider bids on (a small SDL, not the agent's). */
  async function webDeployment(): Promise<{ dseq: string; yaml: string }> {
    const dseq = await freshDseq(agent);
    const yaml = tenantSdl({ image: "nginx:1.27" });
    const { manifestVersion } = await manifestOfSdl(yaml);
    await agent.akash.chain.createDeployment({
      key: `deploy-${dseq}`,
      dseq,
      sdlYaml: yaml,
      manifestVersion,
      depositUact: "1000000",
    });
    return { dseq, yaml };
  }

  async function openBids(dseq: string, count: number) {
    return eventually(async () => {
      const open = (await agent.akash.chain.bids(dseq)).filter((b) => b.state === "open");
      return open.length >= count ? open : undefined;
    }, `${count} bids on ${dseq}`);
  }

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 3 });
    agent = await startAgent(devnet, { uakt: 50_000_000n, uact: 20_000_000n });
  });

  afterAll(async () => {
    await agent?.close();
    await devnet?.stop();
  });

  it("refuses a node of another chain with an error naming both chain ids", async () => {
    const store = openAgentStore({ dataDir: agent.dataDir });
    try {
      const attempt = connectAkash({
        endpoints: { ...endpointsFromDevnet(devnet), chainId: "akash-mainnet-9" },
        wallets: agent.wallets,
        store,
      });
      await expect(attempt).rejects.toBeInstanceOf(ChainIdMismatchError);
      await expect(attempt).rejects.toBeInstanceOf(AgentError);
      await expect(attempt).rejects.toThrow(/"akash-mainnet-9".*"akash-devnet-1"/);
    } finally {
      store.close();
    }
  });

  it("resolves a running devnet's endpoints from its control URL, and says so clearly when none answers", async () => {
    const resolved = await resolveDevnetEndpoints(devnet.control);
    expect(JSON.parse(JSON.stringify(devnet.endpoints()))).toMatchObject(resolved);
    expect(resolved.providers.map((p) => p.address)).toEqual(devnet.providers.map((p) => p.address));
    expect(endpointsFromDevnet(resolved)).toEqual(endpointsFromDevnet(devnet));

    const nowhere = `http://127.0.0.1:${await closedPort()}`;
    const unreachable = resolveDevnetEndpoints(nowhere);
    await expect(unreachable).rejects.toBeInstanceOf(AkashEndpointError);
    await expect(unreachable).rejects.toThrow(/cannot reach the devnet control API.*akash-agent devnet/);
    await expect(resolveDevnetEndpoints(devnet.rpc)).rejects.toBeInstanceOf(AkashEndpointError);
  });

  it("turns RPC and gRPC faults into retryable failures, and a retried tx still happens once", async () => {
    const { chain } = agent.akash;
    const fault = await fetch(`${devnet.control}/rpc/fault`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ target: "rpc", kind: "error", count: 1 }),
    });
    expect(fault.ok).toBe(true);
    expect(await kindOf(chain.height())).toBe("retryable");
    expect(await chain.height()).toBeGreaterThan(0);

    devnet.injectRpcFault({ target: "grpc", kind: "error", count: 1 });
    expect(await kindOf(chain.balances())).toBe("retryable");

    await agent.restart({ ...FAST, queryTimeoutMs: 300 });
    devnet.injectRpcFault({ target: "grpc", kind: "delay", delayMs: 3_000, count: 1 });
    expect(await kindOf(agent.akash.chain.activeDeployments())).toBe("retryable");
    await agent.restart();

    const { dseq } = await webDeployment();
    const before = (await agent.akash.chain.deployment(dseq))!.escrow!.depositedUact;
    devnet.injectRpcFault({ target: "rpc", kind: "error", count: 1 });
    const key = `topup-${dseq}-rpc-fault`;
    expect(await kindOf(agent.akash.chain.deposit({ key, dseq, amountUact: "250000" }))).toBe("retryable");
    await agent.akash.chain.deposit({ key, dseq, amountUact: "250000" });
    await agent.akash.chain.deposit({ key, dseq, amountUact: "250000" });
    expect(BigInt((await agent.akash.chain.deployment(dseq))!.escrow!.depositedUact)).toBe(
      BigInt(before) + 250_000n,
    );
  });

  it("answers bid_gone for a bid that lost to another lease and for a bid of a closed deployment", async () => {
    const { chain } = agent.akash;
    const { dseq } = await webDeployment();
    const [winner, loser] = await openBids(dseq, 2);
    const key = (b: NonNullable<typeof winner>): LeaseKey => ({
      dseq,
      gseq: b.gseq,
      oseq: b.oseq,
      provider: b.provider,
    });
    await chain.createLease({ key: `lease-${dseq}`, bid: key(winner!) });
    expect((await chain.bids(dseq)).find((b) => b.provider === loser!.provider)?.state).toBe("lost");
    expect(await kindOf(chain.createLease({ key: `lease-${dseq}-other`, bid: key(loser!) }))).toBe(
      "bid_gone",
    );
    expect(agent.store.intents.get(`lease-${dseq}-other`)?.state).toBe("failed");

    const other = await webDeployment();
    const [bid] = await openBids(other.dseq, 1);
    await chain.closeDeployment({ key: `close-${other.dseq}`, dseq: other.dseq });
    expect((await chain.bids(other.dseq)).every((b) => b.state === "closed")).toBe(true);
    const gone = chain.createLease({
      key: `lease-${other.dseq}`,
      bid: { dseq: other.dseq, gseq: bid!.gseq, oseq: bid!.oseq, provider: bid!.provider },
    });
    expect(await kindOf(gone)).toBe("bid_gone");
  });

  it("reads a reclaimed lease as reclaiming, and a lease the provider closed as already closed", async () => {
    const { chain } = agent.akash;
    const leased = async () => {
      const { dseq } = await webDeployment();
      const [bid] = await openBids(dseq, 1);
      const lease: LeaseKey = { dseq, gseq: bid!.gseq, oseq: bid!.oseq, provider: bid!.provider };
      await chain.createLease({ key: `lease-${dseq}`, bid: lease });
      return lease;
    };
    const reclaimed = await leased();
    await devnet.reclaimLease({ owner: agent.address, ...reclaimed }, 60_000);
    expect((await chain.lease(reclaimed))?.state).toBe("reclaiming");
    expect((await chain.leases(reclaimed.dseq)).map((l) => l.state)).toEqual(["reclaiming"]);
    expect([0, 5, 99].map(leaseStateOf)).toEqual(["unknown", "unknown", "unknown"]);
    // The owner leaves a reclaimed lease (make-before-break migration) like any other.
    expect(
      (await chain.closeLease({ key: `close-lease-${reclaimed.dseq}`, lease: reclaimed })).alreadyDone,
    ).toBe(false);
    expect((await chain.lease(reclaimed))?.state).toBe("closed");

    const dropped = await leased();
    await devnet.closeLease({ owner: agent.address, ...dropped });
    expect((await chain.lease(dropped))?.state).toBe("closed");
    expect(await chain.closeLease({ key: `close-lease-${dropped.dseq}`, lease: dropped })).toEqual({
      alreadyDone: true,
      txHash: null,
    });
  });

  it("maps what the chain refuses: funds, closed escrow, CheckTx faults, and a drifted manifest version", async () => {
    const { chain } = agent.akash;
    const { dseq, yaml } = await webDeployment();
    const tooMuch = chain.deposit({ key: `topup-${dseq}-huge`, dseq, amountUact: "999000000000" });
    expect(await kindOf(tooMuch)).toBe("insufficient_funds");

    devnet.failNextTx({ address: agent.address, stage: "checkTx", code: 5, log: "insufficient funds" });
    expect(await kindOf(chain.deposit({ key: `topup-${dseq}-checktx`, dseq, amountUact: "1000" }))).toBe(
      "insufficient_funds",
    );

    const { manifestVersion } = await manifestOfSdl(yaml);
    const drifted = chain.createDeployment({
      key: `deploy-${dseq}-drift`,
      dseq: String(Number(dseq) + 50),
      sdlYaml: yaml.replace("nginx:1.27", "nginx:1.28"),
      manifestVersion,
      depositUact: "1000000",
    });
    expect(await kindOf(drifted)).toBe("fatal");
    await expect(drifted).rejects.toThrow(/manifest version mismatch/);

    const secret = "AGENT_MNEMONIC=abandon-ability-able-secret-words";
    const broken = tenantSdl({ image: "nginx:1.27", env: [secret] }).replace(/deployment:\n[\s\S]*$/, "");
    const invalid = await chain
      .createDeployment({
        key: `deploy-${dseq}-broken`,
        dseq: "9",
        sdlYaml: broken,
        manifestVersion,
        depositUact: "1",
      })
      .catch((e: unknown) => e as EffectError);
    expect(invalid).toBeInstanceOf(EffectError);
    expect((invalid as EffectError).kind).toBe("fatal");
    expect((invalid as EffectError).message).toMatch(/not a valid beta3 SDL/);
    expect((invalid as EffectError).message).not.toContain("abandon-ability");
    expect(agent.store.intents.get(`deploy-${dseq}-broken`)).toBeUndefined();

    await chain.closeDeployment({ key: `close-${dseq}`, dseq });
    expect(await kindOf(chain.deposit({ key: `topup-${dseq}-closed`, dseq, amountUact: "1000" }))).toBe(
      "fatal",
    );
    // Closed already, by no tx of this key: nothing to read the refund from.
    expect(await chain.closeDeployment({ key: `close-${dseq}-again`, dseq })).toEqual({
      alreadyDone: true,
      txHash: null,
      refundedUact: null,
    });
  });

  it("answers insufficient_funds for an account that was never funded", async () => {
    const poor = await startAgent(devnet, { uakt: 0n });
    try {
      const yaml = tenantSdl({ image: "nginx:1.27" });
      const { manifestVersion } = await manifestOfSdl(yaml);
      const attempt = poor.akash.chain.createDeployment({
        key: "deploy-poor",
        dseq: "7",
        sdlYaml: yaml,
        manifestVersion,
        depositUact: "500000",
      });
      expect(await kindOf(attempt)).toBe("insufficient_funds");
      expect(await poor.akash.chain.balances()).toEqual({ uakt: "0", uact: "0" });
    } finally {
      await poor.close();
    }
  });
});
