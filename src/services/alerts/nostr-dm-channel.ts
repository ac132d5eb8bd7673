import { wrapEvent } from "nostr-tools/nip17";
import { decode } from "nostr-tools/nip19";
import type { NostrSigner } from "../nostr/nostr-signer.js";
import { NostrPublishError, publishToAnyRelay } from "../nostr/relay-publisher.js";
import {
  type AlertChannel,
  DeliveryError,
  type OutgoingSeverity,
  type RateLimitSettings,
} from "./alert-channel.js";
import { alertText } from "./alert-text.js";

export interface NostrDmChannelOptions {
  /** The operator to write to. */
  readonly npub: string;
  readonly signer: () => NostrSigner;
  readonly relays: readonly string[];
  readonly minSeverity: OutgoingSeverity;
  readonly rateLimit: RateLimitSettings;
  readonly timeoutMs: number;
}

/** The hex public key of an npub, or a clear error naming the setting. */
export function pubkeyOfNpub(npub: string): string {
  try {
    const decoded = decode(npub);
    if (decoded.type === "npub") return decoded.data;
  } catch {
    // reported below
  }
  throw new DeliveryError(
    `alerts.nostr.npubs: "${npub}" is not a valid npub (NIP-19); copy it from the operator's Nostr client`,
  );
}

/**
 * A private message to one operator per NIP-17: a kind 14 rumor, sealed (kind 13, NIP-44) and gift-wrapped
 * (kind 1059, throwaway key, `p` tag = the operator), published to the relays (NIP-42 AUTH when asked).
 * One channel per operator, so a retry never writes twice to one who already has it.
 */
export function createNostrDmChannel(options: NostrDmChannelOptions): AlertChannel {
  const recipient = pubkeyOfNpub(options.npub);
  return {
    name: `nostr:${options.npub}`,
    minSeverity: options.minSeverity,
    rateLimit: options.rateLimit,
    async send(alert) {
      const signer = options.signer();
      const wrap = wrapEvent(
        signer.privateKey.reveal(),
        { publicKey: recipient, relayUrl: options.relays[0] },
        alertText(alert),
        `akash-agent ${alert.agentId}`,
      );
      try {
        await publishToAnyRelay(options.relays, wrap, {
          signAuth: signer.sign,
          timeoutMs: options.timeoutMs,
        });
      } catch (error) {
        if (error instanceof NostrPublishError) throw new DeliveryError(`nostr DM: ${error.message}`);
        throw error;
      }
    },
  };
}
