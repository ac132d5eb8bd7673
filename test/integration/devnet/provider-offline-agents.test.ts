import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSdlFactory } from "../../../src/actors/sdl-factory.js";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { AgentKeys, createKeystoreContents } from "../../../src/services/keys/index.js";
import {
  agentProcessOptions,
  createTenant,
  DEFAULT_AGENT_IMAGE,
  startTestDevnet,
  type Tenant,
  waitFor,
} from "../../support/devnet.js";
import { openLease } from "../../support/devnet-deployment.js";

const work = mkdtempSync(join(tmpdir(), "provider-offline-agents-"));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("a provider that goes offline takes its agent processes with it", () => {
  let devnet: DevnetHandle;
  let tenant: Tenant;
  let keys: AgentKeys;

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 1, ...agentProcessOptions(join(work, "logs")) });
    tenant = await createTenant(devnet);
    await devnet.fund(tenant.address, 50_000_000n, "uact");
    keys = AgentKeys.fromContents(await createKeystoreContents({ now: new Date(0), arweaveJwk: null }));
  });

  afterAll(async () => {
    await tenant?.tx.disconnect();
    await devnet?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("stops the lease's process (no restart while offline); the lease itself stays on chain", async () => {
    const sdl = createSdlFactory({
      keys,
      identity: {
        agentId: keys.identity.agentId,
        akashAddress: keys.identity.akash,
        nostrPubkey: keys.identity.nostrPubkey,
        relayName: "relay",
        relayDomain: "relay.example.com",
        network: "devnet",
        chainId: devnet.chainId,
        role: "root",
      },
      image: DEFAULT_AGENT_IMAGE,
      profile: "relay",
      budget: { targetUsdPerDay: 5, actUsd: 1 },
      devnetUrl: devnet.control,
    });
    const resources = { cpuUnits: 2, memoryGi: 4, storageGi: 100 };
    const lease = await openLease(tenant, (dseq) => sdl.deployable(resources, dseq).yamlWithSecrets());
    const started = await waitFor(
      () => devnet.agentProcesses().find((p) => p.dseq === lease.dseq && p.pid !== null),
      15_000,
      "the provider to start the agent process",
    );
    const pid = started.pid!;
    expect(alive(pid)).toBe(true);

    await devnet.setProviderOnline(lease.bidId.provider, false);
    expect(alive(pid)).toBe(false);
    const after = devnet.agentProcesses().find((p) => p.dseq === lease.dseq);
    expect(after?.pid ?? null).toBeNull();
    // No restart while the provider is down.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(devnet.agentProcesses().find((p) => p.dseq === lease.dseq)?.pid ?? null).toBeNull();
    const onChain = await tenant.sdk.akash.market.v1beta5.getLease({ id: lease.bidId });
    expect(onChain.lease!.state).toBe(1);
  });
});
