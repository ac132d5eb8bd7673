import type { AddressInfo } from "node:net";
import { finalizeEvent, generateSecretKey, getPublicKey, verifyEvent } from "nostr-tools/pure";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { AlertChannelSettingError, createAlertChannels } from "../../../../src/actors/alert-channels.js";
import { loadConfig } from "../../../../src/config/index.js";
import { fullBucket, relayUriOf, takeToken } from "../../../../src/domain/index.js";
import { UsageError } from "../../../../src/errors.js";
import { createLogger } from "../../../../src/logging/index.js";
import {
  ChannelSecretError,
  readChannelSecrets,
  verifyWebhookSignature,
  webhookSignature,
} from "../../../../src/services/alerts/index.js";
import { createTelegramChannel } from "../../../../src/services/alerts/telegram-channel.js";
import {
  deriveNostrKey,
  generateMnemonic,
  mnemonicToSeed,
  Secret,
} from "../../../../src/services/keys/index.js";
import { nostrSignerOf, publishToAnyRelay } from "../../../../src/services/nostr/index.js";

const servers: WebSocketServer[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

describe("token bucket (per-channel rate limit)", () => {
  const limit = { burst: 2, perHour: 60 };
  it("allows the burst, then refuses until a token is back, saying when", () => {
    let state = fullBucket(limit, 0);
    for (let i = 0; i < 2; i += 1) {
      const decision = takeToken(state, limit, 0);
      expect(decision.allowed).toBe(true);
      state = decision.state;
    }
    const refused = takeToken(state, limit, 0);
    expect(refused).toMatchObject({ allowed: false, retryAt: 60_000 });
    expect(takeToken(refused.state, limit, 59_999).allowed).toBe(false);
    expect(takeToken(refused.state, limit, 60_000).allowed).toBe(true);
  });
  it("never holds more than the burst however long it waited", () => {
    let state = fullBucket(limit, 0);
    state = takeToken(state, limit, 0).state;
    const later = takeToken(state, limit, 10 * 3_600_000);
    expect(later.state.tokens).toBe(1);
  });
  it("names the setting when a limit is not positive", () => {
    expect(() => takeToken(fullBucket(limit, 0), { burst: 2, perHour: 0 }, 1)).toThrow(/rateLimit\.perHour/);
  });
});

describe("webhook signature", () => {
  it("is HMAC-SHA256 of `<timestamp>.<body>`; a changed body, time or key does not verify", () => {
    const signature = webhookSignature("k".repeat(20), 1_700_000_000, '{"a":1}');
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature("k".repeat(20), "1700000000", '{"a":1}', signature)).toBe(true);
    expect(verifyWebhookSignature("k".repeat(20), "1700000001", '{"a":1}', signature)).toBe(false);
    expect(verifyWebhookSignature("k".repeat(20), "1700000000", '{"a":2}', signature)).toBe(false);
    expect(verifyWebhookSignature("j".repeat(20), "1700000000", '{"a":1}', signature)).toBe(false);
  });
});

describe("channel secrets from the environment", () => {
  it("refuses malformed values naming the variable, never the value", () => {
    const error = (env: Record<string, string>) => {
      try {
        readChannelSecrets(env);
      } catch (caught) {
        return caught as Error;
      }
      throw new Error("no error");
    };
    const badToken = error({ AGENT_TELEGRAM_BOT_TOKEN: "not-a-token-value" });
    expect(badToken).toBeInstanceOf(ChannelSecretError);
    expect(badToken.message).toMatch(/^AGENT_TELEGRAM_BOT_TOKEN is not a bot token/);
    expect(badToken.message).not.toContain("not-a-token-value");
    expect(error({ AGENT_SLACK_WEBHOOK_URL: "hooks-secret-path" }).message).toMatch(
      /^AGENT_SLACK_WEBHOOK_URL is not a URL/,
    );
    expect(error({ AGENT_WEBHOOK_SECRET: "short" }).message).toMatch(/AGENT_WEBHOOK_SECRET is too short/);
    expect(readChannelSecrets({})).toEqual({
      webhookSecret: null,
      slackWebhookUrl: null,
      telegramBotToken: null,
    });
  });
  it("wraps them so printing one shows [redacted]", () => {
    const secrets = readChannelSecrets({ AGENT_TELEGRAM_BOT_TOKEN: "123:abcdefghij" });
    expect(String(secrets.telegramBotToken)).toBe("[redacted]");
    expect(JSON.stringify(secrets)).not.toContain("abcdefghij");
  });
  it("are never read as settings", () => {
    const config = loadConfig({
      env: { AGENT_WEBHOOK_SECRET: "x".repeat(32), AGENT_TELEGRAM_BOT_TOKEN: "1:a" },
    });
    expect(JSON.stringify(config)).not.toContain("x".repeat(32));
  });
});

describe("alert settings", () => {
  it("name the setting and what is allowed", () => {
    expect(() => loadConfig({ env: { AGENT_ALERTS_NOSTR_NPUBS: "npub1short" } })).toThrow(
      /alerts\.nostr\.npubs\.0 = "npub1short" \(from AGENT_ALERTS_NOSTR_NPUBS\): an npub1… key/,
    );
    expect(() => loadConfig({ env: { AGENT_NOSTR_RELAYS: "https://relay.example" } })).toThrow(
      /nostr\.relays\.0/,
    );
    expect(() => loadConfig({ env: { AGENT_ALERTS_TELEGRAM_CHAT_ID: "my chat" } })).toThrow(
      /alerts\.telegram\.chatId .*a numeric chat id or @channelname/,
    );
    expect(() => loadConfig({ env: { AGENT_ALERTS_SLACK_MIN_SEVERITY: "urgent" } })).toThrow(
      /alerts\.slack\.minSeverity/,
    );
    expect(() => loadConfig({ env: { AGENT_HEARTBEAT_INTERVAL_MS: "10" } })).toThrow(/heartbeat\.intervalMs/);
    const config = loadConfig({ env: {} });
    expect(config.alerts).toMatchObject({
      console: true,
      webhooks: [],
      minSeverity: "medium",
      rateLimit: { burst: 5, perHour: 30 },
    });
    expect(config.heartbeat).toEqual({ enabled: true, intervalMs: 60_000 });
    expect(config.nostr.relays).toEqual([]);
  });
});

describe("alert channels from the settings", () => {
  const build = (flags: Record<string, unknown>, env: Record<string, string> = {}, relays: string[] = []) =>
    createAlertChannels({
      alerts: loadConfig({ env: {}, flags }).alerts,
      relays,
      secrets: readChannelSecrets(env),
      signer: () => nostrSignerOf(deriveNostrKey(mnemonicToSeed(generateMnemonic()), 0)),
      logger: createLogger({ level: "silent" }),
    });
  it("builds one channel per webhook, per operator npub, and Slack/Telegram when their secrets are set", () => {
    const npub = "npub180cvv07tjdrrgpa0j7j7tmnyl2yr6yr7l8j4s3evf6u64th6gkwsyjh6w6";
    const channels = build(
      {
        "alerts.webhooks": ["https://a.example/hook", "https://b.example/hook"],
        "alerts.telegram.chatId": "-100123",
        "alerts.nostr.npubs": [npub],
        "alerts.slack.minSeverity": "critical",
      },
      {
        AGENT_SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T0/B0/abcdefgh",
        AGENT_TELEGRAM_BOT_TOKEN: "1:abc",
      },
      ["wss://relay.example"],
    );
    expect(channels.list.map((channel) => [channel.name, channel.minSeverity])).toEqual([
      ["console", "medium"],
      ["webhook:1", "medium"],
      ["webhook:2", "medium"],
      ["slack", "critical"],
      ["telegram", "medium"],
      [`nostr:${npub}`, "medium"],
    ]);
  });
  it("refuses a channel set up halfway, naming what to set (exit code 2)", () => {
    const noToken = () => build({ "alerts.telegram.chatId": "42" });
    expect(noToken).toThrow(AlertChannelSettingError);
    expect(noToken).toThrow(/alerts\.telegram\.chatId is set but AGENT_TELEGRAM_BOT_TOKEN is not/);
    const noRelay = () =>
      build({ "alerts.nostr.npubs": ["npub180cvv07tjdrrgpa0j7j7tmnyl2yr6yr7l8j4s3evf6u64th6gkwsyjh6w6"] });
    expect(noRelay).toThrow(/there is no relay to send the DMs to: set nostr\.relays/);
    try {
      noRelay();
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
    }
  });
});

describe("Telegram errors", () => {
  it("never carry the bot token, even when the API cannot be reached", async () => {
    const channel = createTelegramChannel({
      apiBase: "http://127.0.0.1:9",
      botToken: new Secret("555:tokenSecretPart"),
      chatId: "1",
      minSeverity: "low",
      rateLimit: { burst: 1, perHour: 1 },
      timeoutMs: 2_000,
    });
    const error = await channel
      .send({
        id: "a",
        severity: "high",
        title: "t",
        message: "m",
        source: "s",
        incident: "s/t",
        resolves: false,
        agentId: "agent",
        raisedAt: 0,
      })
      .then(
        () => null,
        (caught: Error) => caught,
      );
    expect(error?.message).toMatch(/^telegram: cannot reach the receiver/);
    expect(`${error?.message} ${error?.stack}`).not.toContain("tokenSecretPart");
  });
});

describe("relay URI of a lease", () => {
  it("turns the lease's first URI into a WebSocket URL", () => {
    expect(relayUriOf(["abc.ingress.example.com"])).toBe("wss://abc.ingress.example.com");
    expect(relayUriOf(["http://127.0.0.1:3000"])).toBe("ws://127.0.0.1:3000");
    expect(relayUriOf(["127.0.0.1:31000"])).toBe("ws://127.0.0.1:31000");
    expect(relayUriOf(["https://relay.example"])).toBe("wss://relay.example");
    expect(relayUriOf([])).toBeNull();
  });
});

describe("publishing to a relay that demands NIP-42 AUTH before it stores an event", () => {
  it("answers the challenge when the relay refuses with auth-required, then publishes", async () => {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    servers.push(server);
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const authed: string[] = [];
    const stored: string[] = [];
    server.on("connection", (socket) => {
      let who: string | null = null;
      socket.send(JSON.stringify(["AUTH", "challenge-1"]));
      socket.on("message", (data) => {
        const [type, event] = JSON.parse(String(data)) as [string, Parameters<typeof verifyEvent>[0]];
        const valid = verifyEvent(event);
        if (type === "AUTH") {
          const challenge = event.tags.find(([name]) => name === "challenge")?.[1];
          if (valid && event.kind === 22242 && challenge === "challenge-1") who = event.pubkey;
          if (who) authed.push(who);
          socket.send(JSON.stringify(["OK", event.id, who !== null, who ? "" : "invalid: bad auth"]));
        } else if (type === "EVENT") {
          if (!who) {
            socket.send(JSON.stringify(["OK", event.id, false, "auth-required: sign in first"]));
            return;
          }
          stored.push(event.id);
          socket.send(JSON.stringify(["OK", event.id, valid, ""]));
        }
      });
    });
    const key = generateSecretKey();
    const event = finalizeEvent(
      { kind: 1, created_at: Math.floor(Date.now() / 1000), tags: [], content: "hi" },
      key,
    );
    const outcome = await publishToAnyRelay([url], event, {
      signAuth: (template) => finalizeEvent(template, key),
      timeoutMs: 5_000,
    });
    expect(outcome.accepted).toEqual([url]);
    expect(authed).toEqual([getPublicKey(key)]);
    expect(stored).toEqual([event.id]);
  });

  it("says which relays refused and why when none took the event", async () => {
    const key = generateSecretKey();
    const event = finalizeEvent({ kind: 1, created_at: 0, tags: [], content: "" }, key);
    await expect(
      publishToAnyRelay(["ws://127.0.0.1:9"], event, {
        signAuth: (t) => finalizeEvent(t, key),
        timeoutMs: 1_000,
      }),
    ).rejects.toThrow(/no relay took event kind 1 \(ws:\/\/127\.0\.0\.1:9: /);
  });
});
