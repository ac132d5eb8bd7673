import type { IncomingMessage } from "@nostr-relay/common";
import { z } from "zod";

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

const event = z.object({
  id: hex64,
  pubkey: hex64,
  created_at: z.number().int().nonnegative(),
  kind: z.number().int().min(0).max(65535),
  tags: z.array(z.array(z.string())),
  content: z.string(),
  sig: z.string().regex(/^[0-9a-f]{128}$/),
});

const filter = z
  .object({
    ids: z.array(z.string()).optional(),
    authors: z.array(z.string()).optional(),
    kinds: z.array(z.number().int().min(0).max(65535)).optional(),
    since: z.number().int().nonnegative().optional(),
    until: z.number().int().nonnegative().optional(),
    limit: z.number().int().nonnegative().optional(),
    search: z.string().optional(),
  })
  .catchall(z.unknown())
  .refine(
    (f) =>
      Object.entries(f).every(
        ([key, value]) =>
          !/^#[A-Za-z]$/.test(key) || (Array.isArray(value) && value.every((v) => typeof v === "string")),
      ),
    { message: "tag filters (#x) must be arrays of strings" },
  );

const subscriptionId = z.string().min(1).max(64);

const message = z.union([
  z.tuple([z.literal("EVENT"), event]),
  z.tuple([z.literal("REQ"), subscriptionId], filter),
  z.tuple([z.literal("CLOSE"), subscriptionId]),
  z.tuple([z.literal("AUTH"), event]),
]);

export type ParsedMessage = { ok: true; message: IncomingMessage } | { ok: false; error: string };

/**
 * Parses a client's text frame into a NIP-01/NIP-42 message (the core expects validated input), or says in
 * NOTICE wording what is wrong with it.
 */
export function parseIncomingMessage(text: string): ParsedMessage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: "invalid: message is not JSON" };
  }
  const parsed = message.safeParse(json);
  if (!parsed.success) {
    const kind = Array.isArray(json) && typeof json[0] === "string" ? json[0] : "unknown";
    return {
      ok: false,
      error: `invalid: bad ${kind} message (${parsed.error.issues[0]?.message ?? "shape"})`,
    };
  }
  return { ok: true, message: parsed.data as IncomingMessage };
}
