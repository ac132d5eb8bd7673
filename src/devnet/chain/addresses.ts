import { rawSecp256k1PubkeyToRawAddress } from "@cosmjs/amino";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { sha256 } from "@noble/hashes/sha2.js";

export const BECH32_PREFIX = "akash";

/** True when `address` is a bech32 account address with the akash prefix and a 20- or 32-byte payload. */
export function isAkashAddress(address: string): boolean {
  try {
    const { prefix, data } = fromBech32(address);
    return prefix === BECH32_PREFIX && (data.length === 20 || data.length === 32);
  } catch {
    return false;
  }
}

export function addressFromPubKey(pubKey: Uint8Array): string {
  return toBech32(BECH32_PREFIX, rawSecp256k1PubkeyToRawAddress(pubKey));
}

/** x/auth module account address: the first 20 bytes of sha256(module name). */
export function moduleAddress(name: string): string {
  return toBech32(BECH32_PREFIX, sha256(new TextEncoder().encode(name)).slice(0, 20));
}

export const MODULE_ADDRESSES = {
  feeCollector: moduleAddress("fee_collector"),
  escrow: moduleAddress("escrow"),
  bme: moduleAddress("bme"),
} as const;
