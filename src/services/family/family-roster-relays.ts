import type { Event } from "nostr-tools/core";
import { finalizeEvent } from "nostr-tools/pure";
import { Relay, useWebSocketImplementation } from "nostr-tools/relay";
import WebSocket from "ws";
import type { Secret } from "../keys/secret.js";
import { type PublishOutcome, publishToAnyRelay } from "../nostr/relay-publisher.js";
import { FamilyError } from "./family-errors.js";
import {
  type FamilyRoster,
  openRoster,
  ROSTER_KIND,
  type RosterCopy,
  type RosterRecipient,
  rosterDTag,
  rosterTemplate,
  type SiblingSecrets,
} from "./family-roster.js";

// Node 20 has no global WebSocket: nostr-tools takes ws's (DESIGN §10).
useWebSocketImplementation(WebSocket);

const QUERY_TIMEOUT_MS = 10_000;
const PUBLISH_TIMEOUT_MS = 10_000;

/** Who reads a roster: the child's own Nostr key, its agent id, and the parent whose signature counts. */
export interface RosterReader {
  readonly parentPubkey: string;
  readonly ownPubkey: string;
  readonly ownPrivateKey: Secret<Uint8Array>;
  readonly ownAgentId: string;
}

let lastCreatedAt = 0;
/** A later created_at than any roster this process published, so the newest always replaces. */
function nextCreatedAt(nowMs: number): number {
  lastCreatedAt = Math.max(Math.floor(nowMs / 1000), lastCreatedAt + 1);
  return lastCreatedAt;
}

/**
 * Publishes one roster copy per recipient, each encrypted to that child and signed by the parent.
 * Each copy must reach at least one relay; the first copy no relay took is the error.
 */
export async function publishFamilyRoster(o: {
  relays: readonly string[];
  roster: FamilyRoster;
  recipients: readonly RosterRecipient[];
  secrets: ReadonlyMap<string, SiblingSecrets>;
  parentPrivateKey: Secret<Uint8Array>;
  now: number;
}): Promise<PublishOutcome[]> {
  const createdAtSeconds = nextCreatedAt(o.now);
  const sign = (template: Parameters<typeof finalizeEvent>[0]) =>
    finalizeEvent(template, o.parentPrivateKey.reveal());
  return Promise.all(
    o.recipients.map((recipient) =>
      publishToAnyRelay(
        o.relays,
        sign(
          rosterTemplate({
            roster: o.roster,
            recipient,
            secrets: o.secrets,
            parentPrivateKey: o.parentPrivateKey,
            createdAtSeconds,
          }),
        ),
        { signAuth: sign, timeoutMs: PUBLISH_TIMEOUT_MS },
      ),
    ),
  );
}

const rosterFilter = (reader: RosterReader) => ({
  kinds: [ROSTER_KIND],
  authors: [reader.parentPubkey],
  "#d": [rosterDTag(reader.ownPubkey)],
});

function storedRosters(relay: Relay, reader: RosterReader): Promise<Event[]> {
  return new Promise((resolve) => {
    const events: Event[] = [];
    const timer = setTimeout(() => done(), QUERY_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      sub.close();
      resolve(events);
    };
    const sub = relay.subscribe([rosterFilter(reader)], {
      onevent: (event) => events.push(event),
      oneose: done,
      onclose: () => resolve(events),
    });
  });
}

/**
 * The newest roster the parent addressed to this child on any of the relays (null: none), decrypted.
 * An error only when no relay could be asked.
 */
export async function readLatestRoster(
  relays: readonly string[],
  reader: RosterReader,
): Promise<RosterCopy | null> {
  let reached = 0;
  const failures: string[] = [];
  let best: RosterCopy | null = null;
  await Promise.all(
    [...new Set(relays)].map(async (url) => {
      let relay: Relay;
      try {
        relay = await Relay.connect(url);
      } catch (error) {
        failures.push(`${url}: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      try {
        const events = await storedRosters(relay, reader);
        reached += 1;
        for (const event of events) {
          const copy = openRoster(event, reader);
          if (copy && (!best || isNewer(copy, best))) best = copy;
        }
      } finally {
        relay.close();
      }
    }),
  );
  if (reached === 0 && relays.length > 0) {
    throw new FamilyError(`no relay could be asked for the family roster (${failures.join("; ")})`);
  }
  return best;
}

const isNewer = (a: RosterCopy, b: RosterCopy) =>
  a.createdAtSeconds > b.createdAtSeconds ||
  (a.createdAtSeconds === b.createdAtSeconds && a.roster.publishedAt > b.roster.publishedAt);

export interface RosterWatch {
  close(): void;
}

/**
 * Follows the rosters addressed to this child on one relay: the stored one, then each new one. Only
 * the public part is handed on (`onRoster`); the secrets of each copy are dropped here.
 */
export async function watchRoster(o: {
  relay: string;
  reader: RosterReader;
  onRoster: (roster: FamilyRoster, createdAtSeconds: number) => void;
  onClose: (reason: string) => void;
}): Promise<RosterWatch> {
  const relay = await Relay.connect(o.relay);
  let closing = false;
  relay.onclose = () => {
    if (!closing) o.onClose("the relay closed the connection");
  };
  relay.subscribe([rosterFilter(o.reader)], {
    onevent(event: Event) {
      const copy = openRoster(event, o.reader);
      if (copy) o.onRoster(copy.roster, copy.createdAtSeconds);
    },
    onclose: (reason) => {
      if (!closing) o.onClose(reason);
    },
  });
  return {
    close() {
      closing = true;
      relay.close();
    },
  };
}
