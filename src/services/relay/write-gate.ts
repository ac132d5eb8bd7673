import {
  type ClientContext,
  createOutgoingOkMessage,
  type HandleMessagePlugin,
  type HandleMessageResult,
  type IncomingMessage,
} from "@nostr-relay/common";

/**
 * Closes the relay to new events once the agent has moved (DESIGN §12): an EVENT is answered `OK false`
 * with the reason (where the relay went), so that the client publishes there instead, and nothing is
 * accepted here that the new relay's copy would miss. Reading goes on until the old instance stops.
 */
export class WriteGate implements HandleMessagePlugin {
  private closedBecause: string | null = null;

  close(reason: string): void {
    this.closedBecause = reason;
  }

  async handleMessage(
    ctx: ClientContext,
    message: IncomingMessage,
    next: () => Promise<HandleMessageResult>,
  ): Promise<HandleMessageResult> {
    if (message[0] !== "EVENT" || this.closedBecause === null) return next();
    const [, event] = message;
    const text = `blocked: ${this.closedBecause}`;
    ctx.sendMessage(createOutgoingOkMessage(event.id, false, text));
    return { messageType: "EVENT", success: false, message: text };
  }
}
