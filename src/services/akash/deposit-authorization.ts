import { DepositAuthorization } from "@akashnetwork/chain-sdk/private-types/akash.v1";
import { Coin } from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";

/**
 * The escrow `DepositAuthorization` (authz) that gives another account a capped deposit budget.
 *
 * The chain (node v2.x) keeps the cap in `spend_limits = 3` (repeated Coin) and refuses a non-zero
 * deprecated `spend_limit = 1`. chain-sdk 1.0.0-alpha.25 only knows fields 1 and 2, so this file writes
 * field 3 itself and reads it back from a grant's bytes (`reference/akash-authz-facts.md` §1).
 */

export const DEPOSIT_AUTHORIZATION_TYPE_URL = "/akash.escrow.v1.DepositAuthorization";
/** The msg type the grant is keyed by (MsgRevoke, Grants queries). */
export const DEPOSIT_AUTHORIZATION_MSG_TYPE_URL = "/akash.escrow.v1.MsgAccountDeposit";

export type DepositScope = "deployment" | "bid";

const SCOPE_NUMBERS: Readonly<Record<DepositScope, number>> = { deployment: 1, bid: 2 };
const SCOPE_NAMES: ReadonlyMap<number, DepositScope> = new Map([
  [1, "deployment"],
  [2, "bid"],
]);

export interface DepositLimit {
  readonly denom: string;
  readonly amount: bigint;
}

export interface DepositAuthorizationSpec {
  readonly scopes: readonly DepositScope[];
  /** One positive limit per denom (e.g. `[{denom: "uact", amount: 10_000_000n}]`). */
  readonly spendLimits: readonly DepositLimit[];
}

export interface DecodedDepositAuthorization {
  /** Scopes the grant covers; numbers the client does not know are kept as numbers. */
  readonly scopes: readonly (DepositScope | number)[];
  /** The remaining budget per denom (field 3). An exhausted grant has none. */
  readonly spendLimits: readonly DepositLimit[];
  /** The deprecated field 1, when it carries a non-zero amount (an old grant). */
  readonly legacySpendLimit?: DepositLimit;
}

const SPEND_LIMITS_FIELD = 3;
const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function readVarint(bytes: Uint8Array, start: number): { value: number; next: number } {
  let value = 0;
  let factor = 1;
  let pos = start;
  for (;;) {
    const byte = bytes[pos];
    if (byte === undefined) throw new RangeError("DepositAuthorization: truncated varint");
    value += (byte & 0x7f) * factor;
    pos += 1;
    if ((byte & 0x80) === 0) return { value, next: pos };
    factor *= 128;
    if (factor > 2 ** 63) throw new RangeError("DepositAuthorization: varint too long");
  }
}

/** The payloads of every length-delimited occurrence of `field` at the top level of a message. */
function lengthDelimitedFields(bytes: Uint8Array, field: number): Uint8Array[] {
  const found: Uint8Array[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const key = readVarint(bytes, pos);
    pos = key.next;
    const number = Math.floor(key.value / 8);
    const wire = key.value % 8;
    if (wire === WIRE_VARINT) pos = readVarint(bytes, pos).next;
    else if (wire === WIRE_FIXED64) pos += 8;
    else if (wire === WIRE_FIXED32) pos += 4;
    else if (wire === WIRE_LENGTH_DELIMITED) {
      const length = readVarint(bytes, pos);
      const end = length.next + length.value;
      if (end > bytes.length) throw new RangeError("DepositAuthorization: truncated field");
      if (number === field) found.push(bytes.subarray(length.next, end));
      pos = end;
    } else throw new RangeError(`DepositAuthorization: unsupported wire type ${wire}`);
  }
  if (pos !== bytes.length) throw new RangeError("DepositAuthorization: truncated message");
  return found;
}

const DENOM = /^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/;

/** Encodes the authorization as node v2.x's CLI and Console do: `spend_limit = 0uakt`, limits in field 3. */
export function encodeDepositAuthorization(spec: DepositAuthorizationSpec): Uint8Array {
  if (spec.scopes.length === 0) throw new RangeError("DepositAuthorization: at least one scope is needed");
  if (new Set(spec.scopes).size !== spec.scopes.length)
    throw new RangeError("DepositAuthorization: duplicate scope");
  const limits = [...spec.spendLimits].sort((a, b) => (a.denom < b.denom ? -1 : a.denom > b.denom ? 1 : 0));
  for (const [i, limit] of limits.entries()) {
    if (!DENOM.test(limit.denom)) throw new RangeError(`DepositAuthorization: invalid denom ${limit.denom}`);
    if (limit.amount <= 0n)
      throw new RangeError(`DepositAuthorization: the ${limit.denom} limit must be positive`);
    if (i > 0 && limits[i - 1]!.denom === limit.denom)
      throw new RangeError(`DepositAuthorization: two limits for ${limit.denom}`);
  }
  const head = DepositAuthorization.encode(
    DepositAuthorization.fromPartial({
      spendLimit: { denom: "uakt", amount: "0" },
      scopes: spec.scopes.map((s) => SCOPE_NUMBERS[s]),
    }),
  ).finish();
  const parts: number[] = [...head];
  for (const limit of limits) {
    const coin = Coin.encode(
      Coin.fromPartial({ denom: limit.denom, amount: limit.amount.toString() }),
    ).finish();
    parts.push((SPEND_LIMITS_FIELD << 3) | WIRE_LENGTH_DELIMITED, ...varint(coin.length), ...coin);
  }
  return Uint8Array.from(parts);
}

/** The `Any` to put in `MsgGrant.grant.authorization`. */
export function depositAuthorizationAny(spec: DepositAuthorizationSpec): {
  typeUrl: string;
  value: Uint8Array;
} {
  return { typeUrl: DEPOSIT_AUTHORIZATION_TYPE_URL, value: encodeDepositAuthorization(spec) };
}

/** Reads a grant's authorization bytes (e.g. from `cosmos.authz.v1beta1.Query/Grants`), field 3 included. */
export function decodeDepositAuthorization(bytes: Uint8Array): DecodedDepositAuthorization {
  const base = DepositAuthorization.decode(bytes);
  const spendLimits = lengthDelimitedFields(bytes, SPEND_LIMITS_FIELD).map((payload) => {
    const coin = Coin.decode(payload);
    if (!/^\d+$/.test(coin.amount)) throw new RangeError(`DepositAuthorization: bad amount ${coin.amount}`);
    return { denom: coin.denom, amount: BigInt(coin.amount) };
  });
  const legacy = base.spendLimit;
  const legacyAmount = legacy && /^\d+$/.test(legacy.amount) ? BigInt(legacy.amount) : 0n;
  return {
    scopes: base.scopes.map((s) => SCOPE_NAMES.get(s) ?? s),
    spendLimits,
    ...(legacy && legacyAmount > 0n
      ? { legacySpendLimit: { denom: legacy.denom, amount: legacyAmount } }
      : {}),
  };
}
