import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Event } from "nostr-tools/pure";
import { Relay, useWebSocketImplementation } from "nostr-tools/relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { relayUriOf } from "../../../src/domain/index.js";
import { packageVersion } from "../../../src/runtime/agent-version.js";
import {
  HEARTBEAT_D_TAG,
  HEARTBEAT_KIND,
  parseHeartbeat,
  RELAY_LIST_KIND,
  type ReceivedHeartbeat,
  watchHeartbeats,
} from "../../../src/services/nostr/index.js";
import { startTestAgent, type TestAgent } from "../../support/agent-harness.js";
import { DEFAULT_AGENT_IMAGE, startTestDevnet, waitFor } from "../../support/devnet.js";

useWebSocketImplementation(WebSocket);

const MAIN = fileURLToPath(new URL("../../../src/main.ts", import.meta.url));

/** The CLI from source (tsx), so the test needs no build; stdout lines are collected as they come. */
function spawnCli(args: string[]): {
  child: ChildProcess;
  lines: string[];
  stderr: () => string;
  exit: Promise<number | null>;
} {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AGENT_")));
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let pending = "";
  let err = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    pending += chunk.toString("utf8");
    const parts = pending.split("\n");
    pending = parts.pop() ?? "";
    lines.push(...parts.filter((line) => line.trim() !== ""));
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    err += chunk.toString("utf8");
  });
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, lines, stderr: () => err, exit };
}

async function storedEvents(
  relayUrl: string,
  filter: Parameters<Relay["subscribe"]>[0][number],
): Promise<Event[]> {
  const relay = await Relay.connect(relayUrl);
  try {
    return await new Promise<Event[]>((resolve) => {
      const events: Event[] = [];
      const sub = relay.subscribe([filter], {
        onevent: (event) => events.push(event),
        oneose: () => {
          resolve(events);
          sub.close();
        },
      });
    });
  } finally {
    relay.close();
  }
}

describe("voice of the real agent on the devnet: heartbeats, relay list, `watch`, and a machine's alert with its resolved notice", () => {
  let devnet: DevnetHandle;
  let agent: TestAgent;
  let relay: string;

  beforeAll(async () => {
    devnet = await startTestDevnet({ nostr: true, receivers: true });
    relay = devnet.nostr!.relay;
    agent = await startTestAgent(devnet, {
      settings: {
        "heartbeat.intervalMs": 1_000,
        "alerts.webhooks": [devnet.receivers!.webhook],
        "alerts.minSeverity": "high",
        "alerts.retryBaseMs": 100,
      },
    });
  }, 60_000);

  afterAll(async () => {
    await agent?.close();
    await devnet?.stop();
  });

  it("publishes signed heartbeats that `watch --json` prints as they come, and the relay list once the lease has a URI", {
    timeout: 90_000,
  }, async () => {
    const { npub, nostrPubkey, agentId } = (
      await import("../../../src/services/keys/index.js")
    ).AgentKeys.fromContents(
      await new (await import("../../../src/services/keys/index.js")).EnvKeystore({
        env: { AGENT_MNEMONIC: agent.mnemonic },
      }).load(),
    ).identity;
    const cli = spawnCli(["watch", "--npub", npub, "--relay", relay, "--json"]);
    const fromReader: ReceivedHeartbeat[] = [];
    const watch = await watchHeartbeats({
      relay,
      pubkeys: [nostrPubkey],
      onHeartbeat: (hb) => fromReader.push(hb),
    });
    try {
      const lease = await agent.until("active", (view) => view.uris.length > 0);
      const relayUri = relayUriOf(lease.uris);
      expect(relayUri).not.toBeNull();

      const printed = await waitFor(
        () =>
          cli.lines
            .map((line) => JSON.parse(line) as ReceivedHeartbeat)
            // The first active heartbeat may precede the first escrow reading (runway not known yet).
            .find(
              (hb) =>
                hb.leaseState.startsWith("active") &&
                hb.relayUri === relayUri &&
                typeof hb.runwayDays === "number",
            ),
        30_000,
        `an active heartbeat with its runway printed by watch (stderr: ${cli.stderr()})`,
      );
      expect(printed).toMatchObject({
        agentId,
        pubkey: nostrPubkey,
        generation: 0,
        provider: lease.provider,
        relayUri,
        // The build that sent it: outside a provider, agent.image as configured.
        version: { package: packageVersion(), image: DEFAULT_AGENT_IMAGE },
      });
      expect(Date.parse(printed.at)).not.toBeNaN();
      // Every line is one heartbeat, each a distinct event (a replaceable event, so the relay keeps the newest).
      const ids = cli.lines.map((line) => (JSON.parse(line) as ReceivedHeartbeat).eventId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(fromReader.some((hb) => hb.relayUri === relayUri && hb.agentId === agentId)).toBe(true);

      const stored = await storedEvents(relay, {
        kinds: [HEARTBEAT_KIND],
        authors: [nostrPubkey],
        "#d": [HEARTBEAT_D_TAG],
      });
      expect(stored).toHaveLength(1);
      expect(parseHeartbeat(stored[0]!)).not.toBeNull();
      // A forged copy (content changed, signature kept) is not a heartbeat.
      expect(
        parseHeartbeat({ ...stored[0]!, content: stored[0]!.content.replace(agentId, "someone-else") }),
      ).toBeNull();

      const relayList = await waitFor(
        async () => {
          const [list] = await storedEvents(relay, { kinds: [RELAY_LIST_KIND], authors: [nostrPubkey] });
          return list?.tags.some(([name, value]) => name === "r" && value === relayUri) ? list : undefined;
        },
        15_000,
        "the NIP-65 relay list",
      );
      expect(relayList.tags).toContainEqual(["r", relay]);

      const events = JSON.stringify([...stored, relayList]);
      expect(events).not.toContain(agent.mnemonic);
      expect(events).not.toMatch(/nsec1/);
    } finally {
      watch.close();
      cli.child.kill("SIGINT");
    }
    const code = await cli.exit;
    expect(cli.stderr()).toBe("");
    expect(code).toBe(0);
  });

  it('sends the health monitor\'s critical "Chain unreachable" once while the chain is cut off, then its resolved notice', {
    timeout: 90_000,
  }, async () => {
    await agent.until("active");
    const received = async () => {
      const response = await fetch(`${devnet.control}/received/webhook`);
      return (
        (await response.json()) as {
          body: { title: string; resolved: boolean; severity: string; incident: string };
        }[]
      ).map((message) => message.body);
    };
    const chainAlerts = async () =>
      (await received()).filter((body) => body.incident === "health/chain-unreachable");
    const fault = await fetch(`${devnet.control}/rpc/fault`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ target: "all", kind: "error" }),
    });
    expect(fault.ok).toBe(true);
    try {
      await waitFor(
        async () => ((await chainAlerts()).length > 0 ? true : undefined),
        40_000,
        "the Chain unreachable alert",
      );
      // More failed checks while it lasts: still the one alert.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(await chainAlerts()).toEqual([
        expect.objectContaining({ title: "Chain unreachable", severity: "critical", resolved: false }),
      ]);
    } finally {
      await fetch(`${devnet.control}/rpc/clear`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
    }
    // The notice is low severity, under the webhook's "high", and still goes where the alert went.
    const both = await waitFor(
      async () => {
        const alerts = await chainAlerts();
        return alerts.length >= 2 ? alerts : undefined;
      },
      40_000,
      "the resolved notice",
    );
    expect(both).toEqual([
      expect.objectContaining({ title: "Chain unreachable", resolved: false }),
      expect.objectContaining({ title: "Chain reachable again", severity: "low", resolved: true }),
    ]);
  });

  it("refuses a malformed --npub or --relay with a usage error (exit code 2) naming the flag", async () => {
    const { buildProgram } = await import("../../../src/cli/program.js");
    const { UsageError } = await import("../../../src/errors.js");
    const run = async (args: string[]) =>
      (await buildProgram()).parseAsync(["node", "akash-agent", "watch", ...args]);
    const badNpub = run(["--npub", "npub1nothing", "--relay", relay]);
    await expect(badNpub).rejects.toBeInstanceOf(UsageError);
    await expect(badNpub).rejects.toThrow(/--npub "npub1nothing" is not an npub1… key/);
    const badRelay = run(["--npub", "f".repeat(64), "--relay", "http://example"]);
    await expect(badRelay).rejects.toThrow(/--relay "http:\/\/example" is not a relay URL/);
    expect(new UsageError("x").exitCode).toBe(2);
  });
});
