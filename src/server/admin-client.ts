import { randomBytes } from "node:crypto";
import { getToken } from "nostr-tools/nip98";
import { finalizeEvent } from "nostr-tools/pure";
import type { Secret } from "../services/keys/index.js";
import type { AdminAction } from "./admin-actions.js";

export interface AdminCall {
  /** The agent's base URL (http://host:port). */
  readonly url: string;
  readonly action: AdminAction;
  /** JSON body; omitted: no body. */
  readonly body?: Record<string, unknown>;
  /** The Nostr private key that signs the NIP-98 event. */
  readonly privateKey: Secret<Uint8Array>;
}

export interface AdminAnswer {
  readonly status: number;
  readonly json: unknown;
}

/** POSTs /api/admin/<action> with a fresh NIP-98 Authorization signed by `privateKey`. */
export async function callAdmin(call: AdminCall): Promise<AdminAnswer> {
  const target = new URL(`/api/admin/${call.action}`, call.url).toString();
  const text = call.body === undefined ? undefined : JSON.stringify(call.body);
  // getToken hashes JSON.stringify(payload): the very bytes sent as the body.
  const authorization = await getToken(
    target,
    "POST",
    // A random nonce tag: two identical calls within one second would otherwise be one event id, and
    // the agent refuses a NIP-98 event it has seen (replay).
    (template) =>
      finalizeEvent(
        { ...template, tags: [...template.tags, ["nonce", randomBytes(16).toString("hex")]] },
        call.privateKey.reveal(),
      ),
    true,
    call.body,
  );
  const response = await fetch(target, {
    method: "POST",
    headers: { authorization, ...(text === undefined ? {} : { "content-type": "application/json" }) },
    ...(text === undefined ? {} : { body: text }),
  });
  const raw = await response.text();
  let json: unknown = raw;
  try {
    json = JSON.parse(raw);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, json };
}
