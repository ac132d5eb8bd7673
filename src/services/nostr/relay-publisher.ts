import type { Event, EventTemplate, VerifiedEvent } from "nostr-tools/pure";
import { Relay, useWebSocketImplementation } from "nostr-tools/relay";
import WebSocket from "ws";

// Node 20 has no global WebSocket: nostr-tools takes ws's (DESIGN §10).
useWebSocketImplementation(WebSocket);

export interface PublishOptions {
  /** Answers a relay's NIP-42 challenge (kind 22242 signed by the publishing key). */
  readonly signAuth: (template: EventTemplate) => VerifiedEvent;
  readonly timeoutMs: number;
}

export interface PublishOutcome {
  readonly accepted: string[];
  readonly refused: { relay: string; reason: string }[];
}

export class NostrPublishError extends Error {
  override readonly name = "NostrPublishError";
}

const needsAuth = (reason: string) => reason.startsWith("auth-required");

async function publishToOne(url: string, event: Event, options: PublishOptions): Promise<void> {
  const relay = new Relay(url);
  relay.publishTimeout = options.timeoutMs;
  const sign = async (template: EventTemplate) => options.signAuth(template);
  // No `onauth`: nostr-tools would then answer every challenge on its own and rethrow (unhandled) when
  // the connection closes before the relay's OK. The relay's challenge is kept either way; we answer it
  // when a publish is refused with `auth-required:` (NIP-42).
  try {
    await relay.connect({ timeout: options.timeoutMs });
    try {
      await relay.publish(event);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (!needsAuth(reason)) throw error;
      await relay.auth(sign);
      await relay.publish(event);
    }
  } finally {
    relay.close();
  }
}

/** Publishes one signed event to every relay (in parallel), authenticating when a relay asks. */
export async function publishEvent(
  relays: readonly string[],
  event: Event,
  options: PublishOptions,
): Promise<PublishOutcome> {
  const results = await Promise.allSettled(relays.map((url) => publishToOne(url, event, options)));
  const outcome: PublishOutcome = { accepted: [], refused: [] };
  results.forEach((result, index) => {
    const relay = relays[index] ?? "";
    if (result.status === "fulfilled") outcome.accepted.push(relay);
    else
      outcome.refused.push({
        relay,
        reason: result.reason instanceof Error ? result.reason.message : String(result.reason),
      });
  });
  return outcome;
}

/** Like publishEvent, but throws unless at least one relay stored the event. */
export async function publishToAnyRelay(
  relays: readonly string[],
  event: Event,
  options: PublishOptions,
): Promise<PublishOutcome> {
  if (relays.length === 0)
    throw new NostrPublishError("no Nostr relay to publish to: set nostr.relays (wss://…)");
  const outcome = await publishEvent(relays, event, options);
  if (outcome.accepted.length === 0) {
    const reasons = outcome.refused.map(({ relay, reason }) => `${relay}: ${reason}`).join("; ");
    throw new NostrPublishError(`no relay took event kind ${event.kind} (${reasons})`);
  }
  return outcome;
}
