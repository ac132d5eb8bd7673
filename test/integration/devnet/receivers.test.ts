import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DevnetHandle, DevnetReceiversInfo, ReceivedMessage } from "../../../src/devnet/index.js";
import { alertJson, type OutgoingAlert } from "../../../src/services/alerts/index.js";
import { createWebhookChannel } from "../../../src/services/alerts/webhook-channel.js";
import { startTestDevnet } from "../../support/devnet.js";

const BOT_TOKEN = "7000000001:AAH-devnet_token";

async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; contentType: string | null }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    text: await response.text(),
    contentType: response.headers.get("content-type"),
  };
}

const webhookChannel = (url: string) =>
  createWebhookChannel({
    name: "webhook",
    url,
    secret: null,
    minSeverity: "low",
    rateLimit: { burst: 10, perHour: 60 },
    timeoutMs: 5_000,
    now: Date.now,
  });

describe("devnet: alert receivers (JSON webhook, Slack incoming webhook, Telegram Bot API)", () => {
  let devnet: DevnetHandle;
  let receivers: DevnetReceiversInfo;

  const received = async (channel: string): Promise<ReceivedMessage[]> => {
    const response = await fetch(`${devnet.control}/received/${channel}`);
    if (response.status !== 200) throw new Error(`received/${channel}: ${response.status}`);
    return (await response.json()) as ReceivedMessage[];
  };
  const control = async (route: string, body: unknown = {}) => {
    const { status, text } = await postJson(`${devnet.control}${route}`, body);
    if (status !== 200) throw new Error(`control ${route}: ${status} ${text}`);
  };
  const sendMessage = (body: unknown, token = BOT_TOKEN) =>
    postJson(`${receivers.telegram}/bot${token}/sendMessage`, body);

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 0, receivers: true });
    receivers = devnet.receivers!;
  });

  afterAll(async () => {
    await devnet?.stop();
  });

  beforeEach(async () => {
    await control("/receivers/clear");
    await control("/received/clear");
  });

  it("lists the three receivers in the endpoints", async () => {
    const served = (await (await fetch(`${devnet.control}/endpoints`)).json()) as { receivers: unknown };
    expect(served.receivers).toEqual(receivers);
    expect(receivers.webhook).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhook$/);
    expect(receivers.slack).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/slack\/services\/T\w+\/B\w+\/\w+$/);
    expect(receivers.telegram).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/telegram$/);
  });

  describe("JSON webhook", () => {
    it("records the body, the raw bytes and the headers, so an HMAC signature can be checked", async () => {
      const secret = "webhook-secret";
      const raw = JSON.stringify({ id: "a1", severity: "high", title: "lease lost" });
      const signature = createHmac("sha256", secret).update(raw).digest("hex");
      const answer = await postJson(receivers.webhook, raw, { "x-signature-256": `sha256=${signature}` });
      expect(answer.status).toBe(200);
      const [message, ...rest] = await received("webhook");
      expect(rest).toEqual([]);
      expect(message!.body).toEqual(JSON.parse(raw));
      expect(Date.parse(message!.at)).not.toBeNaN();
      const header = message!.headers!["x-signature-256"]!;
      expect(header).toBe(`sha256=${createHmac("sha256", secret).update(message!.raw).digest("hex")}`);
    });

    it("answers 400 to a body that is not JSON and records nothing", async () => {
      expect((await postJson(receivers.webhook, "not json")).status).toBe(400);
      expect(await received("webhook")).toEqual([]);
    });

    it("receives what the agent's webhook channel sends (src/services/alerts/webhook-channel.ts)", async () => {
      const alert: OutgoingAlert = {
        id: "al-1",
        severity: "critical",
        title: "escrow low",
        message: "2 h left",
        source: "lease",
        incident: "lease/escrow low",
        resolves: false,
        agentId: "agent-1",
        raisedAt: Date.UTC(2026, 0, 1),
      };
      await webhookChannel(receivers.webhook).send(alert);
      const [message] = await received("webhook");
      expect(message!.body).toEqual(alertJson(alert));
      expect(message!.headers!["content-type"]).toBe("application/json");
    });
  });

  describe("Slack incoming webhook", () => {
    it("accepts text and blocks with `ok`, as Slack does", async () => {
      const payload = {
        text: "Lease lost on provider akash1…",
        blocks: [{ type: "section", text: { type: "mrkdwn", text: "*Lease lost*" } }],
      };
      const answer = await postJson(receivers.slack, payload);
      expect(answer).toMatchObject({ status: 200, text: "ok" });
      expect((await received("slack")).map((m) => m.body)).toEqual([payload]);
    });

    it("accepts the form-encoded `payload=` variant", async () => {
      const response = await fetch(receivers.slack, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ payload: JSON.stringify({ text: "from a form" }) }).toString(),
      });
      expect(await response.text()).toBe("ok");
      expect((await received("slack")).map((m) => m.body)).toEqual([{ text: "from a form" }]);
    });

    it("answers Slack's errors: invalid_payload, no_text, invalid_blocks, no_service", async () => {
      expect(await postJson(receivers.slack, "{oops")).toMatchObject({
        status: 400,
        text: "invalid_payload",
      });
      expect(await postJson(receivers.slack, { username: "agent" })).toMatchObject({
        status: 400,
        text: "no_text",
      });
      expect(await postJson(receivers.slack, { text: "x", blocks: [{ text: "no type" }] })).toMatchObject({
        status: 400,
        text: "invalid_blocks",
      });
      const otherHook = receivers.slack.replace(/\/[^/]+$/, "/wrongSecret");
      expect(await postJson(otherHook, { text: "x" })).toMatchObject({ status: 404, text: "no_service" });
      expect(await received("slack")).toEqual([]);
    });
  });

  describe("Telegram Bot API sendMessage", () => {
    it("answers { ok: true, result: Message } with message ids counting up per chat", async () => {
      const first = await sendMessage({ chat_id: 424242, text: "<b>Lease lost</b>", parse_mode: "HTML" });
      expect(first.status).toBe(200);
      const body = JSON.parse(first.text) as { ok: boolean; result: Record<string, unknown> };
      expect(body.ok).toBe(true);
      expect(body.result).toMatchObject({
        message_id: 1,
        chat: { id: 424242, type: "private" },
        from: { id: 7000000001, is_bot: true },
        text: "<b>Lease lost</b>",
      });
      expect(typeof body.result.date).toBe("number");
      const second = JSON.parse((await sendMessage({ chat_id: "424242", text: "again" })).text) as {
        result: { message_id: number };
      };
      expect(second.result.message_id).toBe(2);
      const messages = await received("telegram");
      expect(messages.map((m) => m.body)).toEqual([
        { chat_id: 424242, text: "<b>Lease lost</b>", parse_mode: "HTML" },
        { chat_id: "424242", text: "again" },
      ]);
      expect(messages[0]!.botToken).toBe(BOT_TOKEN);
    });

    it("answers { ok: false, error_code, description } on bad input and records nothing", async () => {
      const cases: [unknown, number, string][] = [
        [{ text: "no chat" }, 400, "Bad Request: chat_id is empty"],
        [{ chat_id: 1 }, 400, "Bad Request: message text is empty"],
        [{ chat_id: 1, text: "x", parse_mode: "RTF" }, 400, "Bad Request: unsupported parse_mode"],
        [{ chat_id: 1, text: "x".repeat(4097) }, 400, "Bad Request: message is too long"],
        [{ chat_id: "not a chat", text: "x" }, 400, "Bad Request: chat not found"],
      ];
      for (const [body, status, description] of cases) {
        const answer = await sendMessage(body);
        expect(answer.status, description).toBe(status);
        expect(JSON.parse(answer.text)).toEqual({ ok: false, error_code: status, description });
      }
      const unauthorized = await sendMessage({ chat_id: 1, text: "x" }, "not-a-token");
      expect(JSON.parse(unauthorized.text)).toEqual({
        ok: false,
        error_code: 401,
        description: "Unauthorized",
      });
      const otherMethod = await postJson(`${receivers.telegram}/bot${BOT_TOKEN}/sendPhoto`, { chat_id: 1 });
      expect(JSON.parse(otherMethod.text)).toEqual({ ok: false, error_code: 404, description: "Not Found" });
      expect(await received("telegram")).toEqual([]);
    });
  });

  describe("500 fault", () => {
    it("fails one channel for the next N requests, each in its service's own shape", async () => {
      await control("/receivers/fail", { channel: "slack", count: 1 });
      expect(await postJson(receivers.slack, { text: "lost" })).toMatchObject({
        status: 500,
        text: "rollup_error",
      });
      expect((await postJson(receivers.webhook, { still: "fine" })).status).toBe(200);
      expect(await postJson(receivers.slack, { text: "retried" })).toMatchObject({ status: 200, text: "ok" });
      expect((await received("slack")).map((m) => m.body)).toEqual([{ text: "retried" }]);
    });

    it("fails every channel until cleared, and the agent's webhook delivery reports it", async () => {
      await control("/receivers/fail", { channel: "all" });
      const telegram = await sendMessage({ chat_id: 1, text: "x" });
      expect(telegram.status).toBe(500);
      expect(JSON.parse(telegram.text)).toEqual({
        ok: false,
        error_code: 500,
        description: "Internal Server Error",
      });
      expect((await postJson(receivers.webhook, {})).status).toBe(500);
      await expect(
        webhookChannel(receivers.webhook).send({
          id: "a",
          severity: "high",
          title: "t",
          message: "m",
          source: "s",
          incident: "s/t",
          resolves: false,
          agentId: "agent-1",
          raisedAt: Date.now(),
        }),
      ).rejects.toThrow(/answered HTTP 500/);
      const status = (await (await fetch(`${devnet.control}/status`)).json()) as {
        receivers: { failing: Record<string, number | null> };
      };
      expect(status.receivers.failing).toEqual({ webhook: null, slack: null, telegram: null });
      await control("/receivers/clear");
      expect((await sendMessage({ chat_id: 1, text: "x" })).status).toBe(200);
      expect(await received("webhook")).toEqual([]);
    });
  });

  it("answers 404 with the routes for an unknown channel", async () => {
    const response = await fetch(`${devnet.control}/received/pager`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { routes: string[] }).routes).toContain("GET /received/slack");
  });
});

describe("devnet without receivers", () => {
  it("leaves them out of the endpoints and says so on their routes", async () => {
    const devnet = await startTestDevnet({ providers: 0 });
    try {
      expect(devnet.receivers).toBeUndefined();
      const response = await fetch(`${devnet.control}/received/webhook`);
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(/without the alert receivers/);
    } finally {
      await devnet.stop();
    }
  });
});
