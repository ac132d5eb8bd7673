import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { EffectError } from "../../../src/domain/index.js";
import { type AkashEndpoints, connectAkash, endpointsFromDevnet } from "../../../src/services/akash/index.js";
import { createAkashWallets, generateMnemonic } from "../../../src/services/keys/index.js";
import { openAgentStore } from "../../../src/services/store/index.js";
import { startTestDevnet, waitFor } from "../../support/devnet.js";
import { FAST } from "./akash-test-kit.js";

/** A loopback URL nothing listens on: the primary endpoint of a partitioned agent. */
const UNREACHABLE = "http://127.0.0.1:9";

/**
 * Network partition (DESIGN §5, the failure policy): when the primary RPC or gRPC endpoint cannot
 * be reached, the agent's chain client goes to a fallback, but only one that serves the same chain
 * at least as far as the agent has already read: it never acts on stale state.
 */
describe("Akash endpoints with fallbacks", () => {
  let devnet: DevnetHandle;
  const cleanups: Array<() => Promise<void> | void> = [];

  beforeAll(async () => {
    devnet = await startTestDevnet();
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await devnet.stop();
  });

  async function connect(endpoints: AkashEndpoints) {
    const wallets = await createAkashWallets(generateMnemonic(), 0);
    await devnet.fund(wallets.address, 5_000_000n);
    const dataDir = mkdtempSync(join(tmpdir(), "akash-fallbacks-"));
    const store = openAgentStore({ dataDir });
    const akash = await connectAkash({ endpoints, wallets, store, options: FAST });
    cleanups.push(async () => {
      await akash.chain.close();
      store.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    return akash;
  }

  it("reads and signs through the fallbacks when the primary RPC and gRPC cannot be reached", async () => {
    const { chain } = await connect({
      ...endpointsFromDevnet(devnet),
      rpc: UNREACHABLE,
      grpc: UNREACHABLE,
      rpcFallbacks: [devnet.rpc],
      grpcFallbacks: [devnet.grpc],
    });
    expect((await chain.balances()).uakt).toBe("5000000");
    const minted = await chain.mintAct({ key: "fallback-mint", amountUakt: "1000000" });
    expect(minted.alreadyDone).toBe(false);
    expect(await chain.height()).toBeGreaterThan(0);
  });

  it("refuses a fallback that is behind what was already read, and uses it once it has caught up", async () => {
    await waitFor(async () => ((await devnet.height()) > 40n ? true : undefined), 30_000, "height 40");
    const behind = await startTestDevnet({ chainId: devnet.chainId });
    cleanups.push(() => behind.stop());
    const { chain } = await connect({
      ...endpointsFromDevnet(devnet),
      rpcFallbacks: [behind.rpc],
      grpcFallbacks: [behind.grpc],
    });
    const read = await chain.height();
    expect(read).toBeGreaterThan(Number(behind.height()));

    devnet.injectRpcFault({ target: "all", kind: "error" });
    try {
      const refusal = await chain.height().then(
        () => null,
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(EffectError);
      expect((refusal as EffectError).kind).toBe("retryable");
      expect((refusal as EffectError).message).toMatch(
        /behind height \d+ already read: not reading stale state/,
      );

      await behind.waitForHeight(BigInt(read + 1));
      expect(await chain.height()).toBeGreaterThanOrEqual(read);
    } finally {
      devnet.clearRpcFaults();
    }
  });

  it("never switches to a fallback that serves another chain", async () => {
    const other = await startTestDevnet({ chainId: "other-devnet-1" });
    cleanups.push(() => other.stop());
    const { chain } = await connect({ ...endpointsFromDevnet(devnet), rpcFallbacks: [other.rpc] });
    devnet.injectRpcFault({ target: "rpc", kind: "error" });
    try {
      await expect(chain.height()).rejects.toThrow(/serves chain "other-devnet-1", not "/);
    } finally {
      devnet.clearRpcFaults();
    }
  });
});
