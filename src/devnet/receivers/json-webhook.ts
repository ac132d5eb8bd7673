import { jsonReply, type ReceiverOutcome, type ReceiverRequest } from "./receiver-types.js";

/**
 * A generic JSON webhook at its root path: POST any JSON body → 200 `{ "ok": true }`; a body that is not
 * JSON → 400; another method → 405. Headers are recorded with the body, so a test can check a signature.
 */
export function handleJsonWebhook(request: ReceiverRequest): ReceiverOutcome {
  if (request.path !== "" && request.path !== "/") return { reply: jsonReply(404, { error: "not found" }) };
  if (request.method !== "POST") return { reply: jsonReply(405, { error: "use POST" }) };
  try {
    return { reply: jsonReply(200, { ok: true }), accepted: { body: JSON.parse(request.raw) } };
  } catch {
    return { reply: jsonReply(400, { error: "body is not JSON" }) };
  }
}

export const webhookInternalError = () => jsonReply(500, { error: "devnet fault: internal server error" });
