import { DepositAuthorization } from "@akashnetwork/chain-sdk/private-types/akash.v1";
import { Coin } from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";
import { EscrowErrors, SdkErrors } from "../chain-errors.js";

/**
 * akash.escrow.v1.DepositAuthorization as node v2.x stores it: scopes (2), the per-denom budget in
 * `spend_limits` (3, repeated Coin) and the deprecated `spend_limit` (1), which must be zero. chain-sdk
 * 1.0.0-alpha.25's codec lacks field 3, so the chain reads and writes it here over the raw bytes.
 */

export interface Limit {
  readonly denom: string;
  readonly amount: bigint;
}

export interface DepositAuth {
  readonly scopes: readonly number[];
  /** Field 1 as sent (amount 0 when absent or empty). */
  readonly legacySpendLimit: Limit | undefined;
  readonly spendLimits: readonly Limit[];
}

/** akash.escrow.v1.DepositAuthorization.Scope */
const SCOPE_NAMES = new Map([
  [0, "invalid"],
  [1, "deployment"],
  [2, "bid"],
]);

function readVarint(bytes: Uint8Array, start: number): { value: number; next: number } {
  let value = 0;
  let factor = 1;
  for (let pos = start; pos < bytes.length && pos < start + 10; pos++) {
    const byte = bytes[pos]!;
    value += (byte & 0x7f) * factor;
    if ((byte & 0x80) === 0) return { value, next: pos + 1 };
    factor *= 128;
  }
  throw new Error("invalid varint");
}

function writeVarint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return out;
}

/** The top-level occurrences of length-delimited field `field`. */
function repeatedBytesField(bytes: Uint8Array, field: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const tag = readVarint(bytes, pos);
    pos = tag.next;
    const wireType = tag.value & 7;
    if (wireType === 0) pos = readVarint(bytes, pos).next;
    else if (wireType === 1) pos += 8;
    else if (wireType === 5) pos += 4;
    else if (wireType === 2) {
      const len = readVarint(bytes, pos);
      const end = len.next + len.value;
      if (end > bytes.length) throw new Error("length-delimited field past the end");
      if (Math.floor(tag.value / 8) === field) out.push(bytes.slice(len.next, end));
      pos = end;
    } else throw new Error(`wire type ${wireType}`);
  }
  if (pos > bytes.length) throw new Error("fixed field past the end");
  return out;
}

const toLimit = (coin: { denom: string; amount: string }): Limit => {
  if (!/^\d*$/.test(coin.amount)) throw new Error(`amount ${coin.amount}`);
  return { denom: coin.denom, amount: coin.amount === "" ? 0n : BigInt(coin.amount) };
};

export function decodeDepositAuth(bytes: Uint8Array): DepositAuth {
  const base = DepositAuthorization.decode(bytes);
  return {
    scopes: base.scopes,
    legacySpendLimit: base.spendLimit ? toLimit(base.spendLimit) : undefined,
    spendLimits: repeatedBytesField(bytes, 3).map((b) => toLimit(Coin.decode(b))),
  };
}

/** Encodes as the keeper saves an updated grant: `spend_limit = 0uakt`, zero limits dropped. */
export function encodeDepositAuth(scopes: readonly number[], spendLimits: readonly Limit[]): Uint8Array {
  const head = DepositAuthorization.encode(
    DepositAuthorization.fromPartial({ spendLimit: { denom: "uakt", amount: "0" }, scopes: [...scopes] }),
  ).finish();
  const out = [...head];
  for (const limit of spendLimits) {
    if (limit.amount <= 0n) continue;
    const coin = Coin.encode(
      Coin.fromPartial({ denom: limit.denom, amount: limit.amount.toString() }),
    ).finish();
    out.push(0x1a, ...writeVarint(coin.length), ...coin);
  }
  return Uint8Array.from(out);
}

const DENOM = /^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/;

/** DepositAuthorization.ValidateBasic (run at MsgGrant). */
export function validateDepositAuth(auth: DepositAuth): void {
  if (auth.scopes.length === 0) throw EscrowErrors.invalidAuthzScope.wrap("empty scope");
  const seen = new Set<number>();
  for (const scope of auth.scopes) {
    const name = SCOPE_NAMES.get(scope) ?? String(scope);
    if (!SCOPE_NAMES.has(scope) || scope === 0)
      throw EscrowErrors.invalidAuthzScope.wrap(`invalid scope "${name}"`);
    if (seen.has(scope)) throw EscrowErrors.invalidAuthzScope.wrap(`duplicate scope "${name}"`);
    seen.add(scope);
  }
  const legacy = auth.legacySpendLimit;
  if (legacy && legacy.amount !== 0n) {
    throw SdkErrors.invalidCoins.wrap("spend limit is deprecated and must be zero");
  }
  auth.spendLimits.forEach((limit, i) => {
    const text = `${limit.amount}${limit.denom}`;
    if (!DENOM.test(limit.denom)) throw SdkErrors.invalidCoins.wrap(`invalid denom in spend limits ${text}`);
    if (limit.amount <= 0n) throw SdkErrors.invalidCoins.wrap(`spend limits must be positive: ${text}`);
    const previous = auth.spendLimits[i - 1];
    if (previous && previous.denom >= limit.denom)
      throw SdkErrors.invalidCoins.wrap(`spend limits must be sorted and without duplicates: ${text}`);
  });
}

/** The limits with a non-zero legacy `spend_limit` folded in (the keeper does this before reading them). */
export function effectiveLimits(auth: DepositAuth): Limit[] {
  const limits: { denom: string; amount: bigint }[] = auth.spendLimits.map((l) => ({ ...l }));
  const legacy = auth.legacySpendLimit;
  if (legacy && legacy.amount > 0n) {
    const same = limits.find((l) => l.denom === legacy.denom);
    if (same) same.amount += legacy.amount;
    else limits.push({ ...legacy });
    limits.sort((a, b) => (a.denom < b.denom ? -1 : a.denom > b.denom ? 1 : 0));
  }
  return limits;
}

export type DepositAcceptance =
  | { readonly accepted: false }
  | {
      readonly accepted: true;
      readonly take: bigint;
      readonly updated: Uint8Array;
      readonly exhausted: boolean;
    };

/**
 * DepositAuthorization.TryAccept for a deposit of `amount` `denom` in `scope`: a wrong scope is escrow 15,
 * no limit in that denom is "not accepted"; over the limit takes the rest with `partial`, else sdk 5.
 */
export function tryAcceptDeposit(
  auth: DepositAuth,
  scope: number,
  denom: string,
  amount: bigint,
  partial: boolean,
): DepositAcceptance {
  if (!auth.scopes.includes(scope)) throw EscrowErrors.unauthorizedDepositScope();
  const limits = effectiveLimits(auth);
  const limit = limits.find((l) => l.denom === denom);
  if (!limit || limit.amount === 0n) return { accepted: false };
  let take = amount;
  if (limit.amount < amount) {
    if (!partial) throw SdkErrors.insufficientFunds();
    take = limit.amount;
  }
  const remaining = limits.map((l) => (l.denom === denom ? { denom, amount: l.amount - take } : l));
  return {
    accepted: true,
    take,
    updated: encodeDepositAuth(auth.scopes, remaining),
    exhausted: remaining.every((l) => l.amount === 0n),
  };
}

/** Adds a refund back to the budget (escrow saveAccount for a `grant` depositor). */
export function restoreDepositAuth(auth: DepositAuth, denom: string, amount: bigint): Uint8Array {
  const limits: { denom: string; amount: bigint }[] = effectiveLimits(auth);
  const same = limits.find((l) => l.denom === denom);
  if (same) same.amount += amount;
  else limits.push({ denom, amount });
  limits.sort((a, b) => (a.denom < b.denom ? -1 : a.denom > b.denom ? 1 : 0));
  return encodeDepositAuth(auth.scopes, limits);
}
