import {
  type ClientContext,
  createOutgoingOkMessage,
  type HandleMessagePlugin,
  type HandleMessageResult,
  type IncomingMessage,
} from "@nostr-relay/common";
import type { NostrEventDropMode } from "./nostr-types.js";

const STORE_FAILING = "error: devnet fault: the relay's event store is failing";

/**
 * The "relay dropping events" fault, registered ahead of every other plugin: while on, an EVENT message is
 * answered here and never reaches the store or the subscribers (see `NostrEventDropMode`). REQ and AUTH work.
 */
export class EventDropFault implements HandleMessagePlugin {
  mode: NostrEventDropMode | null = null;

  async handleMessage(
    ctx: ClientContext,
    message: IncomingMessage,
    next: () => Promise<HandleMessageResult>,
  ): Promise<HandleMessageResult> {
    if (message[0] !== "EVENT" || this.mode === null) return next();
    const [, event] = message;
    const success = this.mode === "shadow";
    const text = success ? "" : STORE_FAILING;
    ctx.sendMessage(createOutgoingOkMessage(event.id, success, text));
    return { messageType: "EVENT", success, message: text };
  }
}
