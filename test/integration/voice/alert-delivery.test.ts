import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { unwrapEvent } from "nostr-tools/nip17";
import { npubEncode } from "nostr-tools/nip19";
import { type Event, finalizeEvent, generateSecretKey, getPublicKey } from "nostr-tools/pure";
import { Relay, useWebSocketImplementation } from "nostr-tools/relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type Actor, createActor } from "xstate";
import { type AlertChannels, createAlertChannels } from "../../../src/actors/alert-channels.js";
import { createAlertOutbox } from "../../../src/actors/alert-outbox.js";
import { loadConfig } from "../../../src/config/index.js";
import type { DevnetHandle, ReceivedMessage } from "../../../src/devnet/index.js";
import { createLogger, type Logger } from "../../../src/logging/index.js";
import type { AlertToDeliver } from "../../../src/machines/index.js";
import { readChannelSecrets, verifyWebhookSignature } from "../../../src/services/alerts/index.js";
import {
  AgentKeys,
  EnvKeystore,
  generateMnemonic,
  knownSecretValues,
} from "../../../src/services/keys/index.js";
import { nostrSignerOf } from "../../../src/services/nostr/index.js";
import { type AgentStore, openAgentStore } from "../../../src/services/store/index.js";
import { startTestDevnet, waitFor } from "../../support/devnet.js";

useWebSocketImplementation(WebSocket);

const WEBHOOK_SECRET = "whsec-devnet-0123456789abcdef";
const BOT_TOKEN = "7000000001:AAH-devnet_token";
const SLACK_SECRET_PART = "devnetSlackWebhookSecret";

type Outbox = Actor<ReturnType<typeof createAlertOutbox>>;

describe("voice: alerts reach every channel through the durable outbox (devnet receivers and relay)", () => {
  let devnet: DevnetHandle;
  let keys: AgentKeys;
  let mnemonic: string;
  const operator = generateSecretKey();
  const operatorPubkey = getPublicKey(operator);
  const logLines: string[] = [];
  let logger: Logger;
  const dirs: string[] = [];
  const stores: AgentStore[] = [];
  const outboxes: Outbox[] = [];

  beforeAll(async () => {
    devnet = await startTestDevnet({ nostr: true, receivers: true });
    mnemonic = generateMnemonic().reveal();
    keys = AgentKeys.fromContents(await new EnvKeystore({ env: { AGENT_MNEMONIC: mnemonic } }).load());
    logger = createLogger({
      level: "debug",
      json: true,
      secrets: knownSecretValues,
      destination: new Writable({
        write(chunk, _encoding, done) {
          logLines.push(String(chunk));
          done();
        },
      }) as never,
    });
  }, 60_000);

  afterAll(async () => {
    for (const outbox of outboxes) outbox.stop();
    for (const store of stores) store.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await devnet?.stop();
  });

  const receivers = () => devnet.receivers!;

  function channelsFor(settings: Record<string, unknown> = {}): AlertChannels {
    const config = loadConfig({
      env: {},
      flags: {
        "alerts.minSeverity": "low",
        "alerts.webhooks": [receivers().webhook],
        "alerts.telegram.chatId": "424242",
        "alerts.telegram.apiBase": receivers().telegram,
        "alerts.nostr.npubs": [npubEncode(operatorPubkey)],
        "alerts.retryBaseMs": 100,
        "alerts.retryCapMs": 400,
        ...settings,
      },
    });
    return createAlertChannels({
      alerts: config.alerts,
      relays: [devnet.nostr!.relay],
      secrets: readChannelSecrets({
        AGENT_WEBHOOK_SECRET: WEBHOOK_SECRET,
        AGENT_SLACK_WEBHOOK_URL: receivers().slack,
        AGENT_TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      }),
      signer: () => nostrSignerOf(keys.nostrKey()),
      logger,
      timeoutMs: 5_000,
    });
  }

  function newStore(): AgentStore {
    const dir = mkdtempSync(join(tmpdir(), "voice-alerts-"));
    dirs.push(dir);
    const store = openAgentStore({ dataDir: dir });
    stores.push(store);
    return store;
  }

  function startOutbox(store: AgentStore, channels: AlertChannels): Outbox {
    const outbox = createActor(
      createAlertOutbox({ store, channels, logger, now: Date.now, agentId: keys.identity.agentId }),
    );
    outbox.start();
    outboxes.push(outbox);
    return outbox;
  }

  const raise = (outbox: Outbox, alert: AlertToDeliver) => outbox.send({ type: "ALERT.DELIVER", alert });

  const delivered = (store: AgentStore, id: string) =>
    waitFor(
      () => (store.alerts.get(id)?.deliveredAt ? store.alerts.get(id) : undefined),
      20_000,
      `alert ${id} delivered`,
    );

  async function received(channel: "webhook" | "slack" | "telegram"): Promise<ReceivedMessage[]> {
    const response = await fetch(`${devnet.control}/received/${channel}`);
    return (await response.json()) as ReceivedMessage[];
  }

  async function control(route: string, body: unknown = {}): Promise<void> {
    const response = await fetch(`${devnet.control}${route}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(response.ok).toBe(true);
  }

  /** The operator's client: connects, answers the NIP-42 challenge, reads its gift wraps, unwraps them. */
  async function operatorInbox(): Promise<{ wraps: Event[]; messages: ReturnType<typeof unwrapEvent>[] }> {
    const relay = new Relay(devnet.nostr!.relay);
    const sign = async (template: Parameters<typeof finalizeEvent>[0]) => finalizeEvent(template, operator);
    let challenged: () => void = () => {};
    const challenge = new Promise<void>((resolve) => {
      challenged = resolve;
    });
    relay.onauth = (template) => {
      challenged();
      return sign(template);
    };
    await relay.connect();
    await challenge;
    await relay.auth(sign);
    const wraps = await new Promise<Event[]>((resolve, reject) => {
      const events: Event[] = [];
      const sub = relay.subscribe([{ kinds: [1059], "#p": [operatorPubkey] }], {
        onevent: (event) => events.push(event),
        oneose: () => {
          resolve(events);
          sub.close();
        },
        onclose: (reason) => reject(new Error(reason)),
      });
    });
    relay.close();
    return { wraps, messages: wraps.map((wrap) => unwrapEvent(wrap, operator)) };
  }

  const alertFor = (id: string, extra: Partial<AlertToDeliver> = {}): AlertToDeliver => ({
    id,
    severity: "critical",
    title: "Escrow almost empty",
    message: `Deployment 42 has 2 h of escrow left (${id}).`,
    source: "lease",
    ...extra,
  });

  it("sends one alert to the webhook (HMAC-signed), Slack, Telegram, the operator's NIP-17 DM and the console", async () => {
    await control("/received/clear");
    const store = newStore();
    const outbox = startOutbox(store, channelsFor());
    raise(outbox, alertFor("shape-1"));
    const row = await delivered(store, "shape-1");
    expect([...row.sentChannels].sort()).toEqual(
      ["console", "webhook", "slack", "telegram", `nostr:${npubEncode(operatorPubkey)}`].sort(),
    );

    const [hook] = await received("webhook");
    const headers = hook!.headers!;
    expect(headers["x-agent-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(
      verifyWebhookSignature(
        WEBHOOK_SECRET,
        headers["x-agent-timestamp"]!,
        hook!.raw,
        headers["x-agent-signature"]!,
      ),
    ).toBe(true);
    expect(
      verifyWebhookSignature(
        "another-secret-entirely",
        headers["x-agent-timestamp"]!,
        hook!.raw,
        headers["x-agent-signature"]!,
      ),
    ).toBe(false);
    expect(Math.abs(Number(headers["x-agent-timestamp"]) - Date.now() / 1000)).toBeLessThan(120);
    expect(hook!.body).toMatchObject({
      id: "shape-1",
      agentId: keys.identity.agentId,
      severity: "critical",
      title: "Escrow almost empty",
      source: "lease",
      incident: "lease/Escrow almost empty",
      resolved: false,
    });

    const [slack] = await received("slack");
    expect(slack!.body).toMatchObject({
      text: expect.stringContaining("[CRITICAL] Escrow almost empty"),
      blocks: expect.arrayContaining([expect.objectContaining({ type: "header" })]),
    });

    const [telegram] = await received("telegram");
    expect(telegram!.botToken).toBe(BOT_TOKEN);
    expect(telegram!.body).toMatchObject({
      chat_id: "424242",
      text: expect.stringContaining("Escrow almost empty"),
    });

    const inbox = await operatorInbox();
    const dm = inbox.messages.find((message) => message.content.includes("shape-1"));
    expect(dm).toBeDefined();
    expect(dm!.kind).toBe(14);
    expect(dm!.pubkey).toBe(keys.identity.nostrPubkey);
    expect(dm!.tags.some(([name, value]) => name === "p" && value === operatorPubkey)).toBe(true);
    expect(dm!.content).toContain("[CRITICAL] Escrow almost empty");
    // The wrap hides the sender: a throwaway key signs it.
    expect(inbox.wraps.every((wrap) => wrap.pubkey !== keys.identity.nostrPubkey)).toBe(true);

    expect(
      logLines.some((line) => line.includes('"alert":"shape-1"') && line.includes("Escrow almost empty")),
    ).toBe(true);
  });

  it("retries a receiver that answers 500 with backoff, then delivers once, without resending to channels that took it", async () => {
    await control("/received/clear");
    await control("/receivers/fail", { channel: "webhook", count: 2 });
    const store = newStore();
    const outbox = startOutbox(store, channelsFor());
    raise(outbox, alertFor("retry-1"));
    const row = await delivered(store, "retry-1");
    expect(row.attempts).toBe(3);
    expect(row.lastError).toBeNull();
    expect((await received("webhook")).map((message) => (message.body as { id: string }).id)).toEqual([
      "retry-1",
    ]);
    expect(await received("slack")).toHaveLength(1);
    expect(await received("telegram")).toHaveLength(1);
    expect(logLines.some((line) => line.includes("retry-1") && line.includes("answered HTTP 500"))).toBe(
      true,
    );
  });

  it("keeps a failing delivery's progress in its row, so a restarted outbox carries on", async () => {
    await control("/received/clear");
    await control("/receivers/fail", { channel: "telegram" });
    const store = newStore();
    const first = startOutbox(
      store,
      channelsFor({ "alerts.retryBaseMs": 60_000, "alerts.retryCapMs": 60_000 }),
    );
    raise(first, alertFor("restart-1"));
    const failed = await waitFor(() => {
      const row = store.alerts.get("restart-1");
      return row && row.attempts >= 1 ? row : undefined;
    });
    expect(failed.deliveredAt).toBeNull();
    expect(failed.sentChannels).toContain("webhook");
    expect(failed.sentChannels).not.toContain("telegram");
    expect(failed.nextAttemptAt).toBeGreaterThan(Date.now() + 30_000);
    expect(failed.lastError).toMatch(/telegram: the receiver answered HTTP 500/);
    expect(failed.lastError).not.toContain(BOT_TOKEN);
    first.stop();

    await control("/receivers/clear");
    // A restart: the row is due again only at its next attempt; make it due now, as time passing would.
    store.alerts.recordProgress("restart-1", { ...failed, nextAttemptAt: Date.now() });
    startOutbox(store, channelsFor());
    const row = await delivered(store, "restart-1");
    expect(row.attempts).toBe(2);
    expect(await received("telegram")).toHaveLength(1);
    expect(await received("webhook")).toHaveLength(1);
  });

  it("alerts an incident once while it lasts, sends its resolved notice where the alert went, and opens it again later", async () => {
    await control("/received/clear");
    const store = newStore();
    // The webhook takes high and above only; the resolved notice (low) still goes there.
    const outbox = startOutbox(store, channelsFor({ "alerts.webhook.minSeverity": "high" }));
    const down = (id: string) =>
      alertFor(id, {
        source: "health",
        title: "Chain unreachable",
        incident: "chain-unreachable",
        message: `no RPC (${id})`,
      });
    raise(outbox, down("inc-1"));
    raise(outbox, down("inc-2"));
    raise(outbox, down("inc-3"));
    raise(outbox, {
      id: "inc-4",
      severity: "low",
      title: "Chain reachable again",
      message: "Health checks read the chain again.",
      source: "health",
      incident: "chain-unreachable",
      resolves: true,
    });
    await delivered(store, "inc-4");
    expect(store.alerts.get("inc-2")?.suppressed).toBe("repeat");
    expect(store.alerts.get("inc-3")?.suppressed).toBe("repeat");
    const bodies = (await received("webhook")).map(
      (message) => message.body as { id: string; resolved: boolean },
    );
    expect(bodies.map(({ id, resolved }) => [id, resolved])).toEqual([
      ["inc-1", false],
      ["inc-4", true],
    ]);
    expect((await received("slack")).map((m) => (m.body as { text: string }).text.split("\n")[0])).toEqual([
      "[CRITICAL] Chain unreachable",
      "[RESOLVED] Chain reachable again",
    ]);

    raise(outbox, down("inc-5"));
    await delivered(store, "inc-5");
    expect((await received("webhook")).map((m) => (m.body as { id: string }).id)).toEqual([
      "inc-1",
      "inc-4",
      "inc-5",
    ]);
    // A second resolution of nothing open is recorded only.
    raise(outbox, { ...alertFor("inc-6"), incident: "never-opened", resolves: true, severity: "low" });
    await waitFor(() => store.alerts.get("inc-6"));
    expect(store.alerts.get("inc-6")?.suppressed).toBe("nothing_to_resolve");
  });

  it("rate-limits each channel with a token bucket: over the burst, alerts wait their turn", async () => {
    await control("/received/clear");
    const store = newStore();
    const outbox = startOutbox(
      store,
      channelsFor({
        "alerts.webhook.rateLimit.burst": 2,
        "alerts.webhook.rateLimit.perHour": 1,
        "alerts.nostr.npubs": [],
      }),
    );
    for (const id of ["rl-1", "rl-2", "rl-3", "rl-4"])
      raise(outbox, alertFor(id, { title: `Distinct ${id}` }));
    await waitFor(() => ((store.alerts.get("rl-4")?.sentChannels.length ?? 0) >= 3 ? true : undefined));
    expect((await received("webhook")).map((m) => (m.body as { id: string }).id)).toEqual(["rl-1", "rl-2"]);
    expect(await received("slack")).toHaveLength(4);
    for (const id of ["rl-3", "rl-4"]) {
      const row = store.alerts.get(id)!;
      expect(row.deliveredAt).toBeNull();
      expect(row.sentChannels).not.toContain("webhook");
      expect(row.attempts).toBe(0);
      // One token an hour: the next one is about an hour away.
      expect(row.nextAttemptAt! - Date.now()).toBeGreaterThan(30 * 60_000);
    }
  });

  it("puts no secret in any alert, header, Nostr event, stored row or log line", async () => {
    const inbox = await operatorInbox();
    const everything = [
      JSON.stringify(await received("webhook")),
      JSON.stringify((await received("telegram")).map(({ botToken: _token, ...message }) => message)),
      JSON.stringify(await received("slack")),
      JSON.stringify(inbox.wraps),
      JSON.stringify(inbox.messages),
      ...stores.map((store) => JSON.stringify(store.alerts.recent(100))),
      ...logLines,
    ].join("\n");
    const secrets = [
      WEBHOOK_SECRET,
      BOT_TOKEN,
      BOT_TOKEN.split(":")[1]!,
      SLACK_SECRET_PART,
      receivers().slack,
      mnemonic,
      keys.nostrKey().nsec.reveal(),
      Buffer.from(keys.nostrKey().privateKey.reveal()).toString("hex"),
    ];
    expect(everything.length).toBeGreaterThan(1000);
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });
});
