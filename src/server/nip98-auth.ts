import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { decode as decodeNip19 } from "nostr-tools/nip19";
import { verifyEvent } from "nostr-tools/pure";
import { z } from "zod";

/** NIP-98 HTTP Auth event kind. */
export const HTTP_AUTH_KIND = 27235;
/** created_at must be within this many seconds of now (DESIGN §16). */
export const AUTH_WINDOW_SECONDS = 60;

export type AuthOutcome =
  | { ok: true; pubkey: string; eventId: string; expiresAt: number }
  | { ok: false; status: 401 | 403; error: string };

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const authEvent = z.object({
  id: hex64,
  pubkey: hex64,
  created_at: z.number().int().nonnegative(),
  kind: z.number().int(),
  tags: z.array(z.array(z.string())),
  content: z.string(),
  sig: z.string().regex(/^[0-9a-f]{128}$/),
});

export interface Nip98Request {
  readonly method: string;
  /** The path and query as the client sent them (`req.url`). */
  readonly path: string;
  /** The Host header. */
  readonly host: string;
  readonly authorization: string | undefined;
  readonly body: Buffer;
}

export function nip98RequestOf(req: IncomingMessage, body: Buffer): Nip98Request {
  return {
    method: req.method ?? "GET",
    path: req.url ?? "/",
    host: req.headers.host ?? "",
    authorization: req.headers.authorization,
    body,
  };
}

/** An npub (or 64-hex key) to its hex public key; throws naming the bad value. */
export function publicKeyHex(npubOrHex: string): string {
  if (/^[0-9a-f]{64}$/.test(npubOrHex)) return npubOrHex;
  const decoded = decodeNip19(npubOrHex);
  if (decoded.type !== "npub") throw new Error(`${npubOrHex} is not an npub`);
  return decoded.data;
}

const deny = (status: 401 | 403, error: string): AuthOutcome => ({ ok: false, status, error });
const tag = (tags: string[][], name: string) => tags.find((entry) => entry[0] === name)?.[1];

/** Whether the `u` tag names this request: same host and path with query (the scheme is the ingress's business). */
function sameUrl(u: string, request: Nip98Request): boolean {
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    return false;
  }
  return url.host === request.host && `${url.pathname}${url.search}` === request.path;
}

/**
 * Checks a request's NIP-98 Authorization (DESIGN §16): `Nostr <base64 event>`, a valid signature
 * on a fresh parse, kind 27235, `u` and `method` tags matching the request, created_at within 60 s,
 * a `payload` tag with the body's sha256 when there is a body, and a signer in `allowed` (null: any
 * signer, for a caller that learns who may sign only from the body, and checks it then). Replays are
 * the caller's check (the event id, once the rest holds).
 */
export function verifyNip98(
  request: Nip98Request,
  allowed: ReadonlySet<string> | null,
  nowMs: number,
): AuthOutcome {
  const header = request.authorization?.trim();
  if (!header) return deny(401, "missing Authorization: send `Nostr <base64 NIP-98 event>`");
  const match = /^Nostr\s+([A-Za-z0-9+/=_-]+)$/.exec(header);
  if (!match?.[1]) return deny(401, "Authorization must be `Nostr <base64 NIP-98 event>`");
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(match[1], "base64").toString("utf8"));
  } catch {
    return deny(401, "Authorization does not hold a base64 JSON event");
  }
  const parsed = authEvent.safeParse(json);
  if (!parsed.success) return deny(401, "Authorization does not hold a Nostr event");
  // A fresh object: verifyEvent caches its verdict on the event it checks.
  const event = { ...parsed.data };
  if (!verifyEvent(event)) return deny(401, "the NIP-98 event's signature is not valid");
  if (event.kind !== HTTP_AUTH_KIND) return deny(401, `the NIP-98 event must be kind ${HTTP_AUTH_KIND}`);
  const nowSeconds = Math.floor(nowMs / 1000);
  if (Math.abs(nowSeconds - event.created_at) > AUTH_WINDOW_SECONDS) {
    return deny(401, `the NIP-98 event's created_at is more than ${AUTH_WINDOW_SECONDS} s from now`);
  }
  const u = tag(event.tags, "u");
  if (!u || !sameUrl(u, request)) return deny(401, "the NIP-98 event's u tag does not name this URL");
  if (tag(event.tags, "method")?.toUpperCase() !== request.method.toUpperCase()) {
    return deny(401, "the NIP-98 event's method tag does not match the request");
  }
  const payload = tag(event.tags, "payload");
  // A payload tag binds the event to that body: the same event with the body dropped (or any other
  // body) is refused, else a captured call could be sent with its arguments removed.
  if (request.body.length > 0 || payload !== undefined) {
    // Node's native hash: an activation body runs to tens of MiB (noble's is ~8× slower there).
    if (payload !== createHash("sha256").update(request.body).digest("hex")) {
      return deny(401, "the NIP-98 event's payload tag is not the sha256 of the body");
    }
  }
  if (allowed !== null && !allowed.has(event.pubkey))
    return deny(403, "this key is not an admin of the agent (admin.npubs)");
  return {
    ok: true,
    pubkey: event.pubkey,
    eventId: event.id,
    expiresAt: (event.created_at + 2 * AUTH_WINDOW_SECONDS) * 1000,
  };
}
