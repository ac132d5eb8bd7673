/**
 * The agent living in its own lease, timed on this machine (DESIGN §12):
 *  1. `run --until handed-over` on a devnet it starts as its own process (what `npm start` does,
 *     without the build): seconds from the process start to the handover.
 *  2. A self-migration off a reclaiming provider, seen by a relay client that publishes a note every
 *     100 ms to where the agent's relay is and, when that fails, looks up the agent's newest heartbeat
 *     for its relay URI: the longest gap between two accepted notes is the downtime that client saw,
 *     and every note accepted before the move is looked for on the new relay.
 * Prints figures; asserts nothing.
 *
 *   npm run bench:self-deployment      (about two minutes)
 */

import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { finalizeEvent, generateSecretKey } from "nostr-tools/pure";
import { Relay, useWebSocketImplementation } from "nostr-tools/relay";
import WebSocket from "ws";
import { startDevnet } from "../src/devnet/index.js";
import { ownAgentProcessOptions } from "../src/devnet/own-agent-processes.js";
import { createLogger } from "../src/logging/index.js";
import { latestOwnHeartbeat } from "../src/runtime/leader-elsewhere.js";
import { AgentKeys, EnvKeystore, generateMnemonic } from "../src/services/keys/index.js";
import { CLI } from "../support/run-cli.js";

useWebSocketImplementation(WebSocket);

const quiet = createLogger({ level: "silent", json: true });
const FAST = {
  AGENT_INTERVALS_HEALTH_CHECK_MS: "500",
  AGENT_INTERVALS_CHAIN_POLL_MS: "100",
  AGENT_BIDDING_MIN_BIDS: "3",
  AGENT_BIDDING_WINDOW_MS: "3000",
  AGENT_AGENT_SDL_PROFILE: "relay",
  AGENT_AGENT_RELAY_DOMAIN: "127.0.0.1",
  AGENT_HEARTBEAT_INTERVAL_MS: "1000",
  AGENT_HTTP_PORT: "0",
  AGENT_LOG_LEVEL: "warn",
};

function run(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; ms: number }> {
  const started = performance.now();
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AGENT_")));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...base, ...env }, maxBuffer: 64 << 20 },
      (error, stdout) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, ms: performance.now() - started });
      },
    );
  });
}

async function timeToHandover(): Promise<number> {
  const data = mkdtempSync(join(tmpdir(), "bench-npm-start-"));
  try {
    const result = await run(
      ["run", "--network", "devnet", "--data", data, "--until", "handed-over", "--json"],
      {
        AGENT_HTTP_PORT: "0",
        AGENT_LOG_LEVEL: "warn",
      },
    );
    if (result.code !== 0) throw new Error(`the npm start run did not hand over (exit ${result.code})`);
    return result.ms / 1000;
  } finally {
    // The run leaves its devnet (and the deployed agent) running, as npm start does.
    await run(["devnet", "stop", "--data", data], {});
    rmSync(data, { recursive: true, force: true });
  }
}

async function publish(uri: string, content: string): Promise<string | null> {
  try {
    const relay = await Relay.connect(uri);
    try {
      const event = finalizeEvent(
        { kind: 1, created_at: Math.floor(Date.now() / 1000), tags: [], content },
        secret,
      );
      await relay.publish(event);
      return event.id;
    } finally {
      relay.close();
    }
  } catch {
    return null;
  }
}

async function held(uri: string, ids: string[]): Promise<number> {
  const relay = await Relay.connect(uri);
  try {
    return await new Promise<number>((resolve) => {
      let found = 0;
      const sub = relay.subscribe([{ ids }], {
        onevent: () => {
          found += 1;
        },
        oneose: () => {
          sub.close();
          resolve(found);
        },
      });
    });
  } finally {
    relay.close();
  }
}

const secret = generateSecretKey();

async function migrationDowntime(): Promise<void> {
  const logs = mkdtempSync(join(tmpdir(), "bench-agent-logs-"));
  const devnet = await startDevnet({
    blockTimeMs: 200,
    providers: 3,
    cronos: false,
    arweave: false,
    receivers: false,
    ...ownAgentProcessOptions("ghcr.io/akash-agent/agent-relay:0.1.0", logs),
  });
  try {
    const mnemonic = generateMnemonic().reveal();
    const keys = AgentKeys.fromContents(await new EnvKeystore({ env: { AGENT_MNEMONIC: mnemonic } }).load());
    const data = mkdtempSync(join(tmpdir(), "bench-bootstrap-"));
    const boot = await run(
      [
        "run",
        "--network",
        "devnet",
        "--devnet-url",
        devnet.control,
        "--data",
        data,
        "--until",
        "handed-over",
        "--json",
      ],
      { ...FAST, AGENT_MNEMONIC: mnemonic },
    );
    if (boot.code !== 0) throw new Error(`bootstrap exit ${boot.code}`);
    const handover = JSON.parse(boot.stdout.trim()) as {
      leader: { dseq: string; provider: string; uri: string };
    };
    console.log(`bootstrap → handed over on a 200 ms devnet: ${(boot.ms / 1000).toFixed(1)} s`);

    let uri = `ws://${handover.leader.uri}`;
    const accepted: { at: number; id: string; uri: string }[] = [];
    let stop = false;
    const client = (async () => {
      for (let n = 0; !stop; n += 1) {
        const id = await publish(uri, `note ${n}`);
        if (id) accepted.push({ at: performance.now(), id, uri });
        else {
          const heartbeat = await latestOwnHeartbeat([devnet.nostr!.relay], keys.identity.nostrPubkey, quiet);
          if (heartbeat?.relayUri) uri = heartbeat.relayUri;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const reclaimAt = performance.now();
    await devnet.reclaimLease(
      {
        owner: keys.identity.akash,
        dseq: handover.leader.dseq,
        gseq: 1,
        oseq: 1,
        provider: handover.leader.provider,
      },
      60_000,
    );
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      const last = accepted.at(-1);
      if (last && last.uri !== `ws://${handover.leader.uri}` && performance.now() - last.at < 500) {
        const onNew = accepted.filter((a) => a.uri === last.uri);
        if (onNew.length >= 20) break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    stop = true;
    await client;
    let longestGap = 0;
    for (let i = 1; i < accepted.length; i += 1) {
      longestGap = Math.max(longestGap, accepted[i]!.at - accepted[i - 1]!.at);
    }
    const newUri = accepted.at(-1)?.uri ?? uri;
    const before = accepted.filter((a) => a.uri === `ws://${handover.leader.uri}`).map((a) => a.id);
    const kept = newUri === `ws://${handover.leader.uri}` ? 0 : await held(newUri, before);
    const firstOnNew = accepted.find((a) => a.uri === newUri);
    console.log(
      `self-migration: reclaim → first note accepted by the new leader: ${firstOnNew ? ((firstOnNew.at - reclaimAt) / 1000).toFixed(1) : "-"} s`,
    );
    console.log(
      `relay client's longest gap between accepted notes (100 ms cadence): ${(longestGap / 1000).toFixed(2)} s`,
    );
    console.log(`notes accepted by the old relay: ${before.length}; found on the new relay: ${kept}`);
    rmSync(data, { recursive: true, force: true });
  } finally {
    await devnet.stop();
    rmSync(logs, { recursive: true, force: true });
  }
}

console.log(
  `npm start → handed over (devnet started by the run, 1 s blocks): ${(await timeToHandover()).toFixed(1)} s`,
);
await migrationDowntime();
