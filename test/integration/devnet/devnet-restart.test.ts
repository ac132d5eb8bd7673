import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createChainNodeSDK, createStargateClient } from "@akashnetwork/chain-sdk";
import { afterAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { createTenant, startTestDevnet } from "../../support/devnet.js";
import { openLease } from "../../support/devnet-deployment.js";
import { tenantSdl } from "../../support/devnet-sdl.js";

const dataDir = mkdtempSync(join(tmpdir(), "devnet-data-"));

describe("devnet --data: chain state across a stop and a start", () => {
  let devnet: DevnetHandle | undefined;

  afterAll(async () => {
    await devnet?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps blocks, accounts, deployments, leases and escrow, and the chain goes on", async () => {
    devnet = await startTestDevnet({ providers: 1, dataDir });
    const tenant = await createTenant(devnet);
    await devnet.fund(tenant.address, 10_000_000n, "uact");
    const auditor = (await tenant.sdk.akash.audit.v1.getAllProvidersAttributes({})).providers[0]!.auditor;
    const lease = await openLease(tenant, tenantSdl({ auditor, image: "nginx:1.27" }));
    const uaktBefore = (
      await tenant.sdk.cosmos.bank.v1beta1.getBalance({ address: tenant.address, denom: "uakt" })
    ).balance!.amount;
    await tenant.tx.disconnect();
    await devnet.stop();
    const heightBefore = await (async () => {
      const { readChainSnapshot } = await import("../../../src/devnet/chain/chain-snapshot.js");
      return readChainSnapshot(join(dataDir, "chain.json")).blocks.at(-1)!.height;
    })();

    devnet = await startTestDevnet({ providers: 1, dataDir });
    const tx = createStargateClient({
      baseUrl: devnet.rpc,
      signer: tenant.wallet,
      stargateOptions: { broadcastPollIntervalMs: 50 },
    });
    const sdk = createChainNodeSDK({ query: { baseUrl: devnet.grpc }, tx: { signer: tx } });
    try {
      expect(BigInt(await devnet.height())).toBeGreaterThan(heightBefore);
      expect(
        (await sdk.cosmos.bank.v1beta1.getBalance({ address: tenant.address, denom: "uakt" })).balance!
          .amount,
      ).toBe(uaktBefore);
      const deployment = await sdk.akash.deployment.v1beta4.getDeployment({
        id: { owner: tenant.address, dseq: lease.dseq },
      });
      expect(deployment.deployment!.state).toBe(1);
      expect(deployment.escrowAccount!.state!.state).toBe(1);
      const leases = await sdk.akash.market.v1beta5.getLeases({
        filters: { owner: tenant.address, dseq: lease.dseq, state: "active" },
      });
      expect(leases.leases).toHaveLength(1);
      // The provider is the same account, re-announced at its new host URI.
      const provider = await sdk.akash.provider.v1beta4.getProvider({ owner: lease.bidId.provider });
      expect(provider.provider!.hostUri).toBe(devnet.providers[0]!.hostUri);
      // The tenant's sequence carries on: a new tx from it is accepted.
      await sdk.cosmos.bank.v1beta1.send({
        fromAddress: tenant.address,
        toAddress: lease.bidId.provider,
        amount: [{ denom: "uakt", amount: "1" }],
      });
    } finally {
      await tx.disconnect();
    }
  });
});
