import type { ReceiverRequest } from "./receiver-types.js";

export type ParsedParams = { ok: true; params: unknown } | { ok: false };

/**
 * The parameters of a request the way Slack and Telegram read them: a JSON body, or a form-encoded one
 * (Slack: the JSON in its `payload` field; Telegram: one field per parameter), merged over the query string.
 */
export function requestParams(request: ReceiverRequest, formJsonField?: string): ParsedParams {
  const query = Object.fromEntries(request.query);
  if (request.raw.trim() === "") return { ok: true, params: query };
  if (request.contentType.startsWith("application/x-www-form-urlencoded")) {
    const form = new URLSearchParams(request.raw);
    if (formJsonField === undefined) return { ok: true, params: { ...query, ...Object.fromEntries(form) } };
    return parseJson(form.get(formJsonField) ?? "");
  }
  const body = parseJson(request.raw);
  if (!body.ok) return body;
  if (typeof body.params !== "object" || body.params === null || Array.isArray(body.params)) return body;
  return { ok: true, params: { ...query, ...body.params } };
}

function parseJson(text: string): ParsedParams {
  try {
    return { ok: true, params: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
