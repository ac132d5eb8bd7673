import { z } from "zod";

/** The keys that rotate independently; each has its own BIP44 account index. */
export const keyKinds = ["akash", "evm", "nostr", "encryption"] as const;
export type KeyKind = (typeof keyKinds)[number];

export type KeyIndices = Readonly<Record<KeyKind, number>>;

/** Account indices are hardened BIP32 indices, so they stop at 2^31 - 1. */
export const MAX_ACCOUNT_INDEX = 2 ** 31 - 1;

const accountIndex = z.number().int().min(0).max(MAX_ACCOUNT_INDEX);

export const keyIndicesSchema = z.strictObject({
  akash: accountIndex,
  evm: accountIndex,
  nostr: accountIndex,
  encryption: accountIndex,
});

export const initialKeyIndices: KeyIndices = Object.freeze({ akash: 0, evm: 0, nostr: 0, encryption: 0 });

export function isAccountIndex(index: number): boolean {
  return Number.isSafeInteger(index) && index >= 0 && index <= MAX_ACCOUNT_INDEX;
}

/** Throws a RangeError (a programming error, not user input) for an index outside 0 … 2^31 - 1. */
export function assertAccountIndex(index: number): void {
  if (!isAccountIndex(index)) {
    throw new RangeError(`account index ${index} is not an integer in 0 … ${MAX_ACCOUNT_INDEX}`);
  }
}
