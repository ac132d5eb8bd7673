/**
 * Voice benchmark: how fast the durable outbox gets alerts to every channel (JSON webhook with HMAC,
 * Slack, Telegram, a NIP-17 DM, the console) on loopback stand-ins, and how long a heartbeat takes to
 * publish. Prints figures; asserts nothing.
 *
 *   npx tsx bench/alert-delivery.ts              (ALERTS=100 HEARTBEATS=30 by default)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createActor } from "xstate";
import { createAlertChannels } from "../src/actors/alert-channels.js";
import { createAlertOutbox } from "../src/actors/alert-outbox.js";
import { loadConfig } from "../src/config/index.js";
import { startNostrDevnet } from "../src/devnet/nostr/index.js";
import { AlertReceivers } from "../src/devnet/receivers/index.js";
import { createLogger } from "../src/logging/index.js";
import { readChannelSecrets } from "../src/services/alerts/index.js";
import { AgentKeys, EnvKeystore, generateMnemonic } from "../src/services/keys/index.js";
import { createAgentAnnouncer, nostrSignerOf } from "../src/services/nostr/index.js";
import { openAgentStore } from "../src/services/store/index.js";

const ALERTS = Number(process.env.ALERTS ?? 100);
const HEARTBEATS = Number(process.env.HEARTBEATS ?? 30);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const p95 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? Number.NaN;
};

const nostr = await startNostrDevnet();
const receivers = new AlertReceivers();
const endpoints = await receivers.start();
const dataDir = mkdtempSync(join(tmpdir(), "bench-alerts-"));
const store = openAgentStore({ dataDir });
const keys = AgentKeys.fromContents(
  await new EnvKeystore({ env: { AGENT_MNEMONIC: generateMnemonic().reveal() } }).load(),
);
const operatorNpub = keys.identity.npub;
const logger = createLogger({ level: "silent" });
try {
  const config = loadConfig({
    env: {},
    flags: {
      "alerts.minSeverity": "low",
      "alerts.webhooks": [endpoints.webhook],
      "alerts.telegram.chatId": "1",
      "alerts.telegram.apiBase": endpoints.telegram,
      "alerts.nostr.npubs": [operatorNpub],
      "alerts.rateLimit.burst": 100_000,
      "alerts.rateLimit.perHour": 100_000,
    },
  });
  const channels = createAlertChannels({
    alerts: config.alerts,
    relays: [nostr.info.relay],
    secrets: readChannelSecrets({
      AGENT_WEBHOOK_SECRET: "bench-secret-0123456789",
      AGENT_SLACK_WEBHOOK_URL: endpoints.slack,
      AGENT_TELEGRAM_BOT_TOKEN: "7000000001:AAH-bench",
    }),
    signer: () => nostrSignerOf(keys.nostrKey()),
    logger,
  });
  const outbox = createActor(
    createAlertOutbox({ store, channels, logger, now: Date.now, agentId: keys.identity.agentId }),
  );
  outbox.start();
  const raisedAt = new Map<string, number>();
  const started = performance.now();
  for (let i = 0; i < ALERTS; i += 1) {
    const id = `bench-${i}`;
    raisedAt.set(id, Date.now());
    outbox.send({
      type: "ALERT.DELIVER",
      alert: { id, severity: "high", title: `Bench alert ${i}`, message: "benchmark", source: "bench" },
    });
  }
  while (store.alerts.undelivered().length > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  const wallMs = performance.now() - started;
  const latencies = [...raisedAt].map(([id, at]) => (store.alerts.get(id)?.deliveredAt ?? at) - at);
  outbox.stop();

  const announcer = createAgentAnnouncer({
    relays: [nostr.info.relay],
    signer: () => nostrSignerOf(keys.nostrKey()),
    timeoutMs: 10_000,
    now: Date.now,
  });
  const publishMs: number[] = [];
  for (let i = 0; i < HEARTBEATS; i += 1) {
    const t = performance.now();
    await announcer.publishHeartbeat({
      agentId: keys.identity.agentId,
      generation: 0,
      leaseState: "active",
      provider: "akash1bench",
      runwayDays: 3.5,
      relayUri: "wss://relay.bench",
      at: new Date().toISOString(),
    });
    publishMs.push(performance.now() - t);
  }

  const channelCount = channels.list.length;
  console.log(
    `alert delivery through the outbox, ${channelCount} channels each (console, webhook+HMAC, Slack, Telegram, NIP-17 DM), loopback`,
  );
  console.log(`  alerts                 ${ALERTS}`);
  console.log(`  wall time              ${wallMs.toFixed(0)} ms`);
  console.log(`  alerts/s (all channels) ${(ALERTS / (wallMs / 1000)).toFixed(1)}`);
  console.log(`  raise → delivered      median ${median(latencies)} ms, p95 ${p95(latencies)} ms`);
  console.log(
    `  received               webhook ${receivers.received("webhook").length}, slack ${receivers.received("slack").length}, telegram ${receivers.received("telegram").length}, relay events ${nostr.control.status().storedEvents}`,
  );
  console.log(`heartbeat publish (connect, publish, OK, close), ${HEARTBEATS} times`);
  console.log(`  median ${median(publishMs).toFixed(1)} ms, p95 ${p95(publishMs).toFixed(1)} ms`);
} finally {
  store.close();
  rmSync(dataDir, { recursive: true, force: true });
  await receivers.stop();
  await nostr.stop();
}
