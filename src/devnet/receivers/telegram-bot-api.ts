import {
  jsonReply,
  type ReceiverOutcome,
  type ReceiverReply,
  type ReceiverRequest,
} from "./receiver-types.js";
import { requestParams } from "./request-params.js";

const MAX_TEXT_LENGTH = 4096;
const PARSE_MODES = new Set(["MarkdownV2", "HTML", "Markdown"]);
const BOT_PATH = /^\/bot([^/]*)\/([A-Za-z]+)$/;
const TOKEN = /^(\d+):[A-Za-z0-9_-]{1,64}$/;

const failure = (status: number, description: string): ReceiverReply =>
  jsonReply(status, { ok: false, error_code: status, description });

const bot = (botId: number) => ({
  id: botId,
  is_bot: true,
  first_name: "Akash devnet bot",
  username: "akash_devnet_bot",
});

function chatOf(chatId: string | number): Record<string, unknown> | undefined {
  if (typeof chatId === "string" && /^@[A-Za-z][A-Za-z0-9_]{3,}$/.test(chatId))
    return { id: -1_000_000_000_000, title: chatId.slice(1), username: chatId.slice(1), type: "channel" };
  const id = typeof chatId === "number" ? chatId : /^-?\d+$/.test(chatId) ? Number(chatId) : Number.NaN;
  if (!Number.isSafeInteger(id) || id === 0) return undefined;
  if (id > 0) return { id, first_name: "Operator", type: "private" };
  return { id, title: "Devnet group", type: id <= -1_000_000_000_000 ? "supergroup" : "group" };
}

/**
 * The Telegram Bot API at `/bot<token>/<method>`: `sendMessage` (and `getMe`), parameters in the query
 * string, a JSON body or a form-encoded one. Answers as the Bot API does: `{ ok: true, result }`, or
 * `{ ok: false, error_code, description }`: 401 `Unauthorized` for a malformed token, 404 `Not Found` for
 * another method or path, 400 `Bad Request: …` for a missing chat_id or text, an unknown chat, text over
 * 4096 characters or an unsupported parse_mode.
 */
export class TelegramBotApi {
  private readonly nextMessageId = new Map<string, number>();

  handle(request: ReceiverRequest): ReceiverOutcome {
    const route = BOT_PATH.exec(request.path);
    if (!route) return { reply: failure(404, "Not Found") };
    const [, token = "", method = ""] = route;
    const botId = TOKEN.exec(token)?.[1];
    if (botId === undefined) return { reply: failure(401, "Unauthorized") };
    if (method.toLowerCase() === "getme")
      return { reply: jsonReply(200, { ok: true, result: bot(Number(botId)) }) };
    if (method.toLowerCase() !== "sendmessage") return { reply: failure(404, "Not Found") };
    const parsed = requestParams(request);
    if (!parsed.ok) return { reply: failure(400, "Bad Request: can't parse JSON body") };
    const params = (
      typeof parsed.params === "object" && parsed.params !== null ? parsed.params : {}
    ) as Record<string, unknown>;
    const { chat_id: chatId, text, parse_mode: parseMode } = params;
    if (chatId === undefined || chatId === "")
      return { reply: failure(400, "Bad Request: chat_id is empty") };
    if (typeof chatId !== "string" && typeof chatId !== "number")
      return { reply: failure(400, "Bad Request: chat not found") };
    const chat = chatOf(chatId);
    if (!chat) return { reply: failure(400, "Bad Request: chat not found") };
    if (typeof text !== "string" || text.trim() === "")
      return { reply: failure(400, "Bad Request: message text is empty") };
    if (text.length > MAX_TEXT_LENGTH) return { reply: failure(400, "Bad Request: message is too long") };
    if (parseMode !== undefined && (typeof parseMode !== "string" || !PARSE_MODES.has(parseMode)))
      return { reply: failure(400, `Bad Request: unsupported parse_mode`) };
    const chatKey = String(chat.id);
    const messageId = (this.nextMessageId.get(chatKey) ?? 0) + 1;
    this.nextMessageId.set(chatKey, messageId);
    return {
      reply: jsonReply(200, {
        ok: true,
        result: {
          message_id: messageId,
          from: bot(Number(botId)),
          chat,
          date: Math.floor(Date.now() / 1000),
          text,
        },
      }),
      accepted: { body: params, botToken: token },
    };
  }
}

export const telegramInternalError = () => failure(500, "Internal Server Error");
