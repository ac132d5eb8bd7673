import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ownAgentCommand, packageRoot } from "../../../src/devnet/agent-entry-point.js";
import { agentProcessEnv } from "../../../src/devnet/provider/agent-process-env.js";
import {
  hostVolumeDir,
  prepareHostVolumes,
  removeHostVolumes,
  rewriteMountedPaths,
} from "../../../src/devnet/provider/lease-volumes.js";
import { type ManifestService, persistentMounts } from "../../../src/devnet/provider/manifest-services.js";

const work = mkdtempSync(join(tmpdir(), "agent-process-env-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const lease = { owner: "akash1owner", dseq: 42n, gseq: 1, oseq: 1, provider: "akash1provider" };

function service(overrides: Partial<ManifestService>): ManifestService {
  return { name: "agent-relay", image: "ghcr.io/akash-agent/agent-relay:0.1.0", count: 1, ...overrides };
}

describe("persistent volumes of a manifest service", () => {
  it("are the params.storage mounts whose volume has persistent=true", () => {
    const relay = service({
      params: {
        storage: [
          { name: "data", mount: "/var/lib/akash-agent", readOnly: false },
          { name: "scratch", mount: "/scratch" },
        ],
      },
      resources: {
        storage: [
          { name: "default" },
          { name: "scratch", attributes: [{ key: "class", value: "ram" }] },
          {
            name: "data",
            attributes: [
              { key: "class", value: "beta3" },
              { key: "persistent", value: "true" },
            ],
          },
        ],
      },
    });
    expect(persistentMounts(relay)).toEqual([{ volume: "data", mount: "/var/lib/akash-agent" }]);
    expect(persistentMounts(service({}))).toEqual([]);
  });

  it("get one host directory per lease, service and volume, kept until removed, names made path-safe", () => {
    const root = join(work, "volumes");
    const mounts = [{ volume: "data", mount: "/var/lib/akash-agent" }];
    const [volume] = prepareHostVolumes(root, lease, "agent-relay", mounts);
    expect(volume!.hostDir).toBe(join(root, "akash1owner-42-akash1provider-agent-relay-data"));
    writeFileSync(join(volume!.hostDir, "agent.db"), "state");
    const [again] = prepareHostVolumes(root, lease, "agent-relay", mounts);
    expect(existsSync(join(again!.hostDir, "agent.db"))).toBe(true);
    expect(dirname(hostVolumeDir(root, lease, "../../etc", "a/b"))).toBe(root);
    removeHostVolumes([volume!]);
    expect(existsSync(volume!.hostDir)).toBe(false);
  });

  it("take the place of the mount path in env values equal to it or under it, nothing else", () => {
    const volumes = [{ volume: "data", mount: "/var/lib/akash-agent", hostDir: "/tmp/v/data" }];
    expect(
      rewriteMountedPaths(
        {
          AGENT_DATA_DIR: "/var/lib/akash-agent",
          WITH_SLASH: "/var/lib/akash-agent/",
          DB: "/var/lib/akash-agent/db/agent.sqlite",
          SIBLING: "/var/lib/akash-agent-old",
          OTHER: "relative/var/lib/akash-agent",
        },
        volumes,
      ),
    ).toEqual({
      AGENT_DATA_DIR: "/tmp/v/data",
      WITH_SLASH: "/tmp/v/data/",
      DB: "/tmp/v/data/db/agent.sqlite",
      SIBLING: "/var/lib/akash-agent-old",
      OTHER: "relative/var/lib/akash-agent",
    });
  });
});

describe("an agent process's environment", () => {
  const base = {
    lease,
    image: "ghcr.io/akash-agent/agent-relay:0.2.0",
    providerHost: "127.0.0.1",
    hostEnv: { PATH: "/usr/bin", HOME: "/home/x", AGENT_MNEMONIC: "from the devnet's own env", SECRET: "s" },
    volumes: [{ volume: "data", mount: "/var/lib/akash-agent", hostDir: "/tmp/v/data" }],
    httpPort: 31_000,
    hostPorts: [
      { port: 8080, hostPort: 31_000 },
      { port: 7946, hostPort: 31_001 },
    ],
  };

  it("inherits only the basics, lets the manifest override agentEnv, and the provider override both", () => {
    const env = agentProcessEnv({
      ...base,
      agentEnv: { AGENT_LOG_LEVEL: "debug", AGENT_NETWORK: "sandbox", AGENT_HTTP_PORT: "1", PORT: "2" },
      manifestEnv: {
        AGENT_NETWORK: "devnet",
        AGENT_DATA_DIR: "/var/lib/akash-agent",
        AGENT_HTTP_PORT: "8080",
        AGENT_HTTP_HOST: "0.0.0.0",
        AKASH_OWNER: "akash1someoneelse",
        AGENT_IMAGE_TAG: "9.9.9",
      },
    });
    expect(env).toEqual({
      PATH: "/usr/bin",
      HOME: "/home/x",
      AGENT_LOG_LEVEL: "debug",
      AGENT_NETWORK: "devnet",
      AGENT_DATA_DIR: "/tmp/v/data",
      AKASH_OWNER: "akash1owner",
      AKASH_PROVIDER: "akash1provider",
      AKASH_DEPLOYMENT_SEQUENCE: "42",
      AKASH_GROUP_SEQUENCE: "1",
      AKASH_ORDER_SEQUENCE: "1",
      AKASH_CLUSTER_PUBLIC_HOSTNAME: "127.0.0.1",
      AGENT_IMAGE_TAG: "0.2.0",
      AGENT_HTTP_HOST: "127.0.0.1",
      AGENT_HTTP_PORT: "31000",
      PORT: "31000",
      AKASH_DEVNET_PORT_8080: "31000",
      AKASH_DEVNET_PORT_7946: "31001",
    });
  });

  it("says the tag of the image it runs as: `latest` when the manifest's image has none", () => {
    const tagOf = (image: string) =>
      agentProcessEnv({ ...base, image, agentEnv: {}, manifestEnv: {} }).AGENT_IMAGE_TAG;
    expect(tagOf("ghcr.io/akash-agent/agent-relay")).toBe("latest");
    expect(tagOf("localhost:5000/agent-relay")).toBe("latest");
    expect(tagOf("localhost:5000/agent-relay:canary")).toBe("canary");
    expect(tagOf("ghcr.io/akash-agent/agent-relay:0.3.0@sha256:abc")).toBe("0.3.0");
  });
});

describe("the package root", () => {
  it("is the nearest akash-agent package.json above a module, from src or dist", () => {
    const root = packageRoot();
    expect(existsSync(join(root, "package.json"))).toBe(true);
    expect(packageRoot(join(root, "dist", "devnet", "agent-entry-point.js"))).toBe(root);
  });

  it("skips other packages' package.json and says where it looked when there is none", () => {
    const nested = join(work, "elsewhere", "node_modules", "dep", "lib");
    mkdirSync(nested, { recursive: true });
    writeFileSync(join(work, "elsewhere", "node_modules", "dep", "package.json"), '{"name":"dep"}');
    expect(() => packageRoot(join(nested, "index.js"))).toThrow(
      /cannot find the akash-agent package root above/,
    );
  });

  it("gives node, the built CLI and run, or tells to build when dist/main.js is missing", () => {
    const root = packageRoot();
    expect(ownAgentCommand(root)).toEqual([process.execPath, join(root, "dist", "main.js"), "run"]);
    expect(() => ownAgentCommand(join(work, "elsewhere"))).toThrow(
      /dist\/main\.js is missing: run `npm run build` first/,
    );
  });
});
