import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { sha256 } from "@noble/hashes/sha2.js";

/** One ABCI event of an included transaction, attributes as strings (CometBFT 0.38). */
export interface TxEvent {
  readonly type: string;
  readonly attributes: ReadonlyArray<{ readonly key: string; readonly value: string }>;
}

/** x/auth module account address: the first 20 bytes of sha256(module name), in the owner's bech32 prefix. */
export function moduleAccountAddress(name: string, prefix: string): string {
  return toBech32(prefix, sha256(new TextEncoder().encode(name)).slice(0, 20));
}

const COIN = /^(\d+)([a-zA-Z][a-zA-Z0-9/:._-]*)$/;

/** The amount of `denom` in a bank event's coin list ("5uakt,420uact"); 0 when absent. */
function amountOf(coins: string, denom: string): bigint {
  let total = 0n;
  for (const coin of coins.split(",")) {
    const match = COIN.exec(coin.trim());
    if (match?.[2] === denom) total += BigInt(match[1]!);
  }
  return total;
}

/**
 * The uact an included transaction moved from the escrow module account to `owner`: on
 * MsgCloseDeployment the escrow gives the remainder of its deposits back to their depositors with a
 * bank transfer (`transfer` event: sender = escrow module, recipient = depositor). What the close
 * pays the providers goes to them, not to the owner, and the fee is paid in uakt.
 */
export function escrowRefundOf(events: readonly TxEvent[], owner: string, denom = "uact"): bigint {
  const escrow = moduleAccountAddress("escrow", fromBech32(owner).prefix);
  let refunded = 0n;
  for (const event of events) {
    if (event.type !== "transfer") continue;
    const attribute = (key: string) => event.attributes.find((entry) => entry.key === key)?.value;
    if (attribute("sender") !== escrow || attribute("recipient") !== owner) continue;
    refunded += amountOf(attribute("amount") ?? "", denom);
  }
  return refunded;
}
