import type { Event, EventTemplate } from "nostr-tools/pure";
import { verifyEvent } from "nostr-tools/pure";
import { z } from "zod";

/**
 * A heartbeat is a parameterized replaceable event (NIP-01: kinds 30000–39999 keep the newest per
 * author and `d` tag), so a relay holds each member's latest one. Kind 30420 with `d` =
 * `akash-agent/heartbeat` is this project's choice (no NIP assigns it).
 */
export const HEARTBEAT_KIND = 30420;
export const HEARTBEAT_D_TAG = "akash-agent/heartbeat";

/** Which build sent it (package version, image); read only when well formed (an old heartbeat has none). */
const versionSchema = z.object({ package: z.string().min(1), image: z.string().min(1) });

const heartbeatSchema = z.object({
  agentId: z.string().min(1),
  /** Leadership generation (§12); 0 until a handover has happened. */
  generation: z.number().int().min(0),
  leaseState: z.string(),
  provider: z.string().nullable(),
  /** Days the escrow lasts at the current price, null before there is a lease. */
  runwayDays: z.number().nullable(),
  /** Where the agent's relay is reached (ws:// or wss://), null before there is a lease. */
  relayUri: z.string().nullable(),
  /** ISO time the heartbeat was made. */
  at: z.string(),
  /** The sender's version; absent from older agents' heartbeats, and ignored (undefined) when malformed. */
  version: versionSchema.optional().catch(undefined),
});

export type Heartbeat = z.infer<typeof heartbeatSchema>;

/** A heartbeat read from a relay: what it says, who signed it, and the event's own id and time. */
export interface ReceivedHeartbeat extends Heartbeat {
  readonly pubkey: string;
  readonly eventId: string;
  readonly createdAt: number;
}

export function heartbeatTemplate(heartbeat: Heartbeat, createdAtSeconds: number): EventTemplate {
  return {
    kind: HEARTBEAT_KIND,
    created_at: createdAtSeconds,
    tags: [
      ["d", HEARTBEAT_D_TAG],
      ["alt", `akash-agent heartbeat of ${heartbeat.agentId}`],
    ],
    content: JSON.stringify(heartbeat),
  };
}

function isVerified(event: Event): boolean {
  try {
    return verifyEvent(event);
  } catch {
    return false;
  }
}

/** The heartbeat in an event from a relay, or null when it is not a valid, correctly signed one. */
export function parseHeartbeat(untrusted: Event): ReceivedHeartbeat | null {
  // verifyEvent caches its verdict on the object it is given: check a fresh copy (DESIGN §10).
  const event = JSON.parse(JSON.stringify(untrusted ?? null)) as Event | null;
  if (typeof event !== "object" || event === null || event.kind !== HEARTBEAT_KIND) return null;
  // nostr-tools' verifyEvent throws (rather than answering false) on an object that is not an event.
  if (!Array.isArray(event.tags) || !isVerified(event)) return null;
  if (!event.tags.some(([name, value]) => name === "d" && value === HEARTBEAT_D_TAG)) return null;
  let content: unknown;
  try {
    content = JSON.parse(event.content);
  } catch {
    return null;
  }
  const parsed = heartbeatSchema.safeParse(content);
  if (!parsed.success) return null;
  return { ...parsed.data, pubkey: event.pubkey, eventId: event.id, createdAt: event.created_at };
}
