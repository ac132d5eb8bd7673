import type { Heartbeat } from "./heartbeat-event.js";
import { heartbeatTemplate } from "./heartbeat-event.js";
import type { NostrSigner } from "./nostr-signer.js";
import { relayListTemplate } from "./relay-list.js";
import { type PublishOutcome, publishToAnyRelay } from "./relay-publisher.js";

export interface AgentAnnouncerOptions {
  readonly relays: readonly string[];
  /** The agent's current Nostr key (read at each publish: the identity key may rotate). */
  readonly signer: () => NostrSigner;
  readonly timeoutMs: number;
  readonly now: () => number;
}

/** What the agent says about itself on Nostr: its heartbeat and its relay list (NIP-65). */
export interface AgentAnnouncer {
  readonly relays: readonly string[];
  publishHeartbeat(heartbeat: Heartbeat): Promise<PublishOutcome>;
  /** Publishes the agent's relay list: its own relay first, then the relays it publishes to. */
  publishRelayList(ownRelay: string): Promise<PublishOutcome>;
}

export function createAgentAnnouncer(options: AgentAnnouncerOptions): AgentAnnouncer {
  const seconds = () => Math.floor(options.now() / 1000);
  const publish = (template: ReturnType<typeof heartbeatTemplate>) => {
    const signer = options.signer();
    return publishToAnyRelay(options.relays, signer.sign(template), {
      signAuth: signer.sign,
      timeoutMs: options.timeoutMs,
    });
  };
  return {
    relays: options.relays,
    publishHeartbeat: (heartbeat) => publish(heartbeatTemplate(heartbeat, seconds())),
    publishRelayList: (ownRelay) => publish(relayListTemplate([ownRelay, ...options.relays], seconds())),
  };
}
