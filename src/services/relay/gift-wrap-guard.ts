import {
  type BroadcastPlugin,
  type ClientContext,
  createOutgoingAuthMessage,
  createOutgoingClosedMessage,
  createOutgoingEoseMessage,
  createOutgoingEventMessage,
  type Event,
  EventUtils,
  type Filter,
  type HandleMessagePlugin,
  type HandleMessageResult,
  type IncomingMessage,
  UnauthenticatedError,
} from "@nostr-relay/common";

/** NIP-59 gift wrap: its one `p` tag names the recipient; the author is a throwaway key. */
export const GIFT_WRAP_KIND = 1059;

const AUTH_REQUIRED =
  "auth-required: gift wraps (kind 1059) are served only to their recipient, authenticate with NIP-42 first";

/** What the guard needs from the relay: a stored-event search (the relay's own, which guards kind 4). */
export interface EventFinder {
  findEvents(filters: Filter[], pubkey?: string, iteratee?: (event: Event) => void): Promise<Event[]>;
}

/** A gift wrap is readable only by the authenticated key its `p` tag names; every other event by anyone. */
export function readableBy(event: Event, pubkey: string | undefined): boolean {
  if (event.kind !== GIFT_WRAP_KIND) return true;
  return pubkey !== undefined && event.tags.some(([name, value]) => name === "p" && value === pubkey);
}

const mayMatchGiftWraps = (filter: Filter) =>
  filter.kinds === undefined || filter.kinds.includes(GIFT_WRAP_KIND);
const asksForGiftWraps = (filter: Filter) => filter.kinds?.includes(GIFT_WRAP_KIND) === true;

/**
 * NIP-42 in @nostr-relay/core guards only kind 4 (legacy DMs). This plugin guards kind 1059 the same way, for
 * stored results and live subscriptions: a REQ that names kind 1059 from an unauthenticated client is CLOSED
 * with `auth-required:` and a new AUTH challenge; any REQ that could match gift wraps is answered here with
 * only those addressed to the client's authenticated key; and a new gift wrap is forwarded only to
 * subscriptions of connections authenticated as its recipient (the core's broadcast never sees it).
 */
export class GiftWrapGuard implements HandleMessagePlugin, BroadcastPlugin {
  private readonly contexts = new Set<ClientContext>();
  private readonly finder: EventFinder;

  constructor(finder: EventFinder) {
    this.finder = finder;
  }

  async handleMessage(
    ctx: ClientContext,
    message: IncomingMessage,
    next: () => Promise<HandleMessageResult>,
  ): Promise<HandleMessageResult> {
    this.contexts.add(ctx);
    if (message[0] !== "REQ") return next();
    const [, subscriptionId, ...filters] = message;
    if (!filters.some(mayMatchGiftWraps)) return next();
    if (ctx.pubkey === undefined && filters.some(asksForGiftWraps)) {
      ctx.sendMessage(createOutgoingClosedMessage(subscriptionId, AUTH_REQUIRED));
      ctx.sendMessage(createOutgoingAuthMessage(ctx.id));
      return { messageType: "REQ", events: [] };
    }
    const events: Event[] = [];
    try {
      await this.finder.findEvents(filters, ctx.pubkey, (event) => {
        if (!readableBy(event, ctx.pubkey)) return;
        events.push(event);
        ctx.sendMessage(createOutgoingEventMessage(subscriptionId, event));
      });
    } catch (error) {
      ctx.sendMessage(createOutgoingClosedMessage(subscriptionId, (error as Error).message));
      if (error instanceof UnauthenticatedError) ctx.sendMessage(createOutgoingAuthMessage(ctx.id));
      return { messageType: "REQ", events: [] };
    }
    ctx.sendMessage(createOutgoingEoseMessage(subscriptionId));
    // What the core's subscription service records for a REQ (it does not search live events).
    ctx.subscriptions.set(
      subscriptionId,
      filters.filter((f) => f.search === undefined),
    );
    return { messageType: "REQ", events };
  }

  async broadcast(event: Event, next: () => Promise<void>): Promise<void> {
    if (event.kind !== GIFT_WRAP_KIND) return next();
    for (const ctx of this.contexts) {
      if (!ctx.isOpen) {
        this.contexts.delete(ctx);
        continue;
      }
      if (!readableBy(event, ctx.pubkey)) continue;
      ctx.subscriptions.forEach((filters, subscriptionId) => {
        if (filters.some((filter) => EventUtils.isMatchingFilter(event, filter)))
          ctx.sendMessage(createOutgoingEventMessage(subscriptionId, event));
      });
    }
  }
}
