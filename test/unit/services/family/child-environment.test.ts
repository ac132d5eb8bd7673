import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../../src/config/index.js";
import { configSchema } from "../../../../src/config/schema.js";
import {
  type ChildRunInput,
  childEnvironment,
  childRunArgs,
  childSettingsOf,
  FamilyError,
  parseHandedOver,
} from "../../../../src/services/family/index.js";
import { AgentKeys, EnvKeystore, generateMnemonic } from "../../../../src/services/keys/index.js";

async function identity() {
  const mnemonic = generateMnemonic();
  const keys = AgentKeys.fromContents(
    await new EnvKeystore({ env: { AGENT_MNEMONIC: mnemonic.reveal() } }).load(),
  );
  return { mnemonic, keys };
}

describe("a child's config as AGENT_* variables", () => {
  it("is read back by the child's own config loader as the parent meant it", async () => {
    const parent = await identity();
    const sibling = await identity();
    const child = await identity();
    const parentConfig = configSchema.parse({
      network: "devnet",
      devnet: { url: "http://127.0.0.1:4555" },
      reproduction: { childrenMayReproduce: false },
    });
    const input: ChildRunInput = {
      cli: [process.execPath, "main.js"],
      parentConfig,
      parent: { akash: parent.keys.identity.akash, npub: parent.keys.identity.npub },
      childMnemonic: child.mnemonic,
      child: {
        index: 2,
        childId: child.keys.identity.agentId,
        akash: child.keys.identity.akash,
        npub: child.keys.identity.npub,
      },
      dataDir: "/tmp/unused",
      avoidProviders: [sibling.keys.identity.akash, parent.keys.identity.akash, sibling.keys.identity.akash],
      relays: ["ws://127.0.0.1:7000", "wss://relay.example.org"],
      settings: { "agent.sdlProfile": "relay", "heartbeat.intervalMs": 1_000 },
    };
    const settings = childSettingsOf(input);
    const env = childEnvironment(settings);
    expect(env).toMatchObject({
      AGENT_NETWORK: "devnet",
      AGENT_DEVNET_URL: "http://127.0.0.1:4555",
      AGENT_REPRODUCTION_PARENT_AKASH: parent.keys.identity.akash,
      AGENT_REPRODUCTION_PARENT_NPUB: parent.keys.identity.npub,
      AGENT_REPRODUCTION_ENABLED: "false",
      AGENT_HTTP_PORT: "0",
    });
    expect(Object.keys(env).every((name) => name.startsWith("AGENT_"))).toBe(true);
    expect(JSON.stringify(env)).not.toContain(child.mnemonic.reveal());

    const config = loadConfig({ env });
    expect(config.network).toBe("devnet");
    expect(config.devnet.url).toBe("http://127.0.0.1:4555");
    expect(config.reproduction.parent).toEqual({
      akash: parent.keys.identity.akash,
      npub: parent.keys.identity.npub,
    });
    expect(config.reproduction.enabled).toBe(false);
    expect(config.nostr.relays).toEqual(["ws://127.0.0.1:7000", "wss://relay.example.org"]);
    expect(config.bidding.avoidProviders).toEqual([sibling.keys.identity.akash, parent.keys.identity.akash]);
    expect(config.http.port).toBe(0);
    expect(config.agent.sdlProfile).toBe("relay");
    expect(config.heartbeat.intervalMs).toBe(1_000);
    expect(config.log.json).toBe(true);
    expect(childRunArgs(settings)).toEqual([
      "run",
      "--until",
      "handed-over",
      "--json",
      "--devnet-url",
      "http://127.0.0.1:4555",
    ]);
  });

  it("lets a child reproduce only when the parent's config allows children to", () => {
    const env = childEnvironment({
      network: "mainnet",
      devnetUrl: null,
      parent: null,
      relays: [],
      avoidProviders: [],
      reproductionEnabled: true,
    });
    expect(env.AGENT_REPRODUCTION_ENABLED).toBe("true");
    expect(env.AGENT_DEVNET_URL).toBeUndefined();
    expect(env.AGENT_REPRODUCTION_PARENT_AKASH).toBeUndefined();
  });

  it("refuses a setting the schema does not have, naming it", () => {
    const settings = {
      network: "devnet" as const,
      devnetUrl: null,
      parent: null,
      relays: [],
      avoidProviders: [],
      reproductionEnabled: false,
    };
    expect(() => childEnvironment({ ...settings, extra: { "agent.sdlProfil": "relay" } })).toThrow(
      FamilyError,
    );
    expect(() => childEnvironment({ ...settings, extra: { "agent.sdlProfil": "relay" } })).toThrow(
      /child setting agent\.sdlProfil is not a setting/,
    );
    // A whole section is not a setting either.
    expect(() => childEnvironment({ ...settings, extra: { agent: "x" } })).toThrow(/child setting agent /);
  });
});

describe("the handover line a child's bootstrap prints", () => {
  const line = JSON.stringify({
    state: "handed_over",
    generation: 1,
    leader: { dseq: "42", provider: "akash1provider", uri: "127.0.0.1:4000" },
  });

  it("is found as the last JSON line of stdout", () => {
    expect(parseHandedOver(["not json", line, ""], "the birth", [])).toEqual({
      dseq: "42",
      provider: "akash1provider",
      uri: "127.0.0.1:4000",
      generation: 1,
    });
  });

  it("is required: a run that printed none is an error saying what was expected", () => {
    expect(() =>
      parseHandedOver([JSON.stringify({ state: "active.monitoring", dseq: "42" })], "the birth", []),
    ).toThrow(/the birth exited 0 but printed no handover/);
  });
});
