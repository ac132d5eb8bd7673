import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activationNonce, createSdlFactory } from "../../../src/actors/sdl-factory.js";
import { type DevnetHandle, ownAgentCommand } from "../../../src/devnet/index.js";
import { AGENT_DATA_MOUNT } from "../../../src/domain/service-profiles.js";
import { AgentKeys, createKeystoreContents } from "../../../src/services/keys/index.js";
import { providerRequest } from "../../../support/provider-request.js";
import {
  agentProcessOptions,
  createTenant,
  DEFAULT_AGENT_IMAGE,
  startTestDevnet,
  type Tenant,
  waitFor,
} from "../../support/devnet.js";
import { openLease } from "../../support/devnet-deployment.js";

const work = mkdtempSync(join(tmpdir(), "agent-process-workload-"));
const logDir = join(work, "logs");
const volumeRoot = join(work, "volumes");

describe("the devnet runs the agent's own entry point for the agent's image", () => {
  let devnet: DevnetHandle;
  let tenant: Tenant;
  let keys: AgentKeys;

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 1, ...agentProcessOptions(logDir, volumeRoot) });
    tenant = await createTenant(devnet);
    await devnet.fund(tenant.address, 50_000_000n, "uact");
    keys = AgentKeys.fromContents(await createKeystoreContents({ now: new Date(0), arweaveJwk: null }));
  });

  afterAll(async () => {
    await tenant?.tx.disconnect();
    await devnet?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("starts `dist/main.js run` with the manifest's public env, a volume directory and the provider's port; no key", async () => {
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
    expect(started.owner).toBe(tenant.address);
    expect(started.service).toBe("agent-relay");
    expect(started.command).toEqual(ownAgentCommand());
    expect(started.command.slice(-2)).toEqual([expect.stringMatching(/[/\\]dist[/\\]main\.js$/), "run"]);

    const { env } = started;
    expect(env.AGENT_ROLE).toBe("deployed");
    expect(env.AGENT_ACTIVATION_NONCE).toBe(activationNonce(keys, lease.dseq));
    expect(env.AGENT_DEVNET_URL).toBe(devnet.control);
    expect(env.AGENT_NETWORK).toBe("devnet");
    expect(env.AKASH_DEPLOYMENT_SEQUENCE).toBe(lease.dseq);
    for (const name of [
      "AGENT_MNEMONIC",
      "AGENT_KEYSTORE_BACKEND",
      "AGENT_PASSPHRASE",
      "AGENT_ARWEAVE_JWK",
    ]) {
      expect(env[name], name).toBeUndefined();
    }
    const mnemonic = keys.mnemonic().reveal();
    expect(
      Object.values(env).some((value) => value.includes(mnemonic.split(" ").slice(0, 3).join(" "))),
    ).toBe(false);

    // The persistent volume: a host directory per lease, service and volume, in place of the mount.
    const hostDir = join(
      volumeRoot,
      `${tenant.address}-${lease.dseq}-${lease.bidId.provider}-agent-relay-data`,
    );
    expect(started.volumes).toEqual([{ volume: "data", mount: AGENT_DATA_MOUNT, hostDir }]);
    expect(existsSync(hostDir)).toBe(true);
    expect(env.AGENT_DATA_DIR).toBe(hostDir);

    // The provider decides where it listens: the host port of the lease's HTTP endpoint.
    const status = await providerRequest(lease.hostUri, `/lease/${lease.dseq}/1/1/status`, {
      caPem: lease.caPem,
      token: lease.token,
    });
    const uris = (JSON.parse(status.body) as { services: Record<string, { uris: string[] | null }> })
      .services["agent-relay"]?.uris;
    expect(uris).toEqual([`127.0.0.1:${env.AGENT_HTTP_PORT}`]);
    expect(env.PORT).toBe(env.AGENT_HTTP_PORT);
    expect(env.AGENT_HTTP_HOST).toBe("127.0.0.1");

    // The CLI ran with that env: a deployed instance without keys, awaiting activation with its nonce.
    const logFile = join(logDir, `${tenant.address}-${lease.dseq}-agent-relay.log`);
    expect(started.logFile).toBe(logFile);
    const log = await waitFor(
      () => {
        const text = existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
        return text.includes("awaiting activation") ? text : undefined;
      },
      20_000,
      "the agent process's first output",
    );
    expect(log).not.toContain(mnemonic.split(" ").slice(0, 3).join(" "));
    const offer = (await (await fetch(`http://127.0.0.1:${env.AGENT_HTTP_PORT}/api/activation`)).json()) as {
      state: string;
      nonce: string;
    };
    expect(offer).toMatchObject({ state: "awaiting", nonce: activationNonce(keys, lease.dseq) });

    // The provider restarts a process that died; the volume's data is still there.
    writeFileSync(join(hostDir, "marker"), "kept");
    const restarts = started.restarts;
    process.kill(started.pid!, "SIGKILL");
    await waitFor(
      () => {
        const now = devnet.agentProcesses().find((p) => p.dseq === lease.dseq);
        return now && now.restarts > restarts ? now : undefined;
      },
      20_000,
      "a restart of the agent process",
    );
    expect(readFileSync(join(hostDir, "marker"), "utf8")).toBe("kept");

    // The lease closes: the process stops and the provider deletes the volume.
    await tenant.sdk.akash.market.v1beta5.closeLease({ id: lease.bidId, reason: 1 });
    await waitFor(
      () =>
        !existsSync(hostDir) && !devnet.agentProcesses().some((p) => p.dseq === lease.dseq)
          ? true
          : undefined,
      15_000,
      "the volume to go with the lease",
    );
  });
});
