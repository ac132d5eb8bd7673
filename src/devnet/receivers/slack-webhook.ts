import { type ReceiverOutcome, type ReceiverRequest, textReply } from "./receiver-types.js";
import { requestParams } from "./request-params.js";

/** The path of the devnet's Slack incoming webhook (Slack's own: `/services/T…/B…/<secret>`). */
export const SLACK_WEBHOOK_PATH = "/services/TDEVNET00/BDEVNET00/devnetSlackWebhookSecret";
const MAX_BLOCKS = 50;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A Slack incoming webhook: POST a JSON message (or form-encoded `payload=<json>`) with `text` and/or
 * `blocks`; answers `ok` (200, text/html), or Slack's error strings: 404 `no_service` for another webhook
 * path, 400 `invalid_payload` (not JSON), `no_text` (neither text nor blocks), `invalid_blocks`.
 */
export function handleSlackWebhook(request: ReceiverRequest): ReceiverOutcome {
  if (request.path !== SLACK_WEBHOOK_PATH) return { reply: textReply(404, "no_service") };
  if (request.method !== "POST") return { reply: textReply(405, "invalid_method") };
  const parsed = requestParams({ ...request, query: new URLSearchParams() }, "payload");
  if (!parsed.ok || !isObject(parsed.params)) return { reply: textReply(400, "invalid_payload") };
  const message = parsed.params;
  const text = message.text;
  const blocks = message.blocks;
  if (text !== undefined && typeof text !== "string") return { reply: textReply(400, "invalid_payload") };
  if (blocks !== undefined) {
    const valid =
      Array.isArray(blocks) &&
      blocks.length <= MAX_BLOCKS &&
      blocks.every((block) => isObject(block) && typeof block.type === "string");
    if (!valid) return { reply: textReply(400, "invalid_blocks") };
  }
  const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
  if ((text === undefined || text.trim() === "") && !hasBlocks) return { reply: textReply(400, "no_text") };
  return {
    reply: { status: 200, contentType: "text/html", body: "ok" },
    accepted: { body: message },
  };
}

export const slackInternalError = () => textReply(500, "rollup_error");
