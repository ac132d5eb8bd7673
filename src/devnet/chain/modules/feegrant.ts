import {
  AllowedMsgAllowance,
  BasicAllowance,
  type Coin,
  MsgGrantAllowance,
  MsgGrantAllowanceResponse,
  MsgRevokeAllowance,
  MsgRevokeAllowanceResponse,
  PeriodicAllowance,
} from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";
import { isAkashAddress } from "../addresses.js";
import type { EndBlocker } from "../chain.js";
import { ChainError, FeegrantErrors, SdkErrors } from "../chain-errors.js";
import { type ChainState, type FeeAllowanceRecord, feeAllowanceKey } from "../chain-state.js";
import type { EventCollector } from "../events.js";
import { defineHandler, partial } from "../msg-handler.js";
import { type CoinAmount, parseCoinAmount } from "./bank.js";

/** x/feegrant (cosmossdk.io/x/feegrant v0.2): allowances, their Accept rules, the ante hook and pruning. */

export const BASIC_ALLOWANCE_URL = "/cosmos.feegrant.v1beta1.BasicAllowance";
export const PERIODIC_ALLOWANCE_URL = "/cosmos.feegrant.v1beta1.PeriodicAllowance";
export const ALLOWED_MSG_ALLOWANCE_URL = "/cosmos.feegrant.v1beta1.AllowedMsgAllowance";
/** The feegrant EndBlocker removes at most this many expired allowances per block. */
const PRUNE_PER_BLOCK = 200;

const coinsOf = (coins: readonly Coin[], field: string): CoinAmount[] =>
  coins.map((c) => parseCoinAmount(c, field));
const toCoins = (coins: readonly CoinAmount[]) =>
  coins.map((c) => ({ denom: c.denom, amount: c.amount.toString() }));

/** sdk.Coins.SafeSub: the difference (zeros dropped) and whether any denom went negative. */
function safeSub(from: readonly CoinAmount[], take: readonly CoinAmount[]) {
  const left = from.map((c) => ({ ...c }));
  let negative = false;
  for (const coin of take) {
    if (coin.amount === 0n) continue;
    const have = left.find((c) => c.denom === coin.denom);
    if (!have || have.amount < coin.amount) negative = true;
    else have.amount -= coin.amount;
  }
  return { left: left.filter((c) => c.amount > 0n), negative };
}

function validCoins(coins: readonly Coin[], what: string): CoinAmount[] {
  const parsed = coinsOf(coins, what);
  for (const [i, coin] of parsed.entries()) {
    if (coin.amount === 0n) throw SdkErrors.invalidCoins.wrap(`${what} must be positive`);
    const previous = parsed[i - 1];
    if (previous && previous.denom >= coin.denom)
      throw SdkErrors.invalidCoins.wrap(`${what} is invalid: not sorted or duplicate denom ${coin.denom}`);
  }
  return parsed;
}

/** FeeAllowanceI.ValidateBasic for the allowance Any; returns its expiration (ExpiresAt). */
function validateAllowance(typeUrl: string, value: Uint8Array): Date | undefined {
  switch (typeUrl) {
    case BASIC_ALLOWANCE_URL: {
      const basic = BasicAllowance.decode(value);
      validCoins(basic.spendLimit, "spend limit");
      return basic.expiration;
    }
    case PERIODIC_ALLOWANCE_URL: {
      const periodic = PeriodicAllowance.decode(value);
      const basic = periodic.basic ?? BasicAllowance.fromPartial({});
      const total = validCoins(basic.spendLimit, "spend limit");
      const perPeriod = validCoins(periodic.periodSpendLimit, "spend limit");
      if (perPeriod.length === 0) throw SdkErrors.invalidCoins.wrap("spend limit must be positive");
      coinsOf(periodic.periodCanSpend, "can spend");
      if (total.length > 0 && !perPeriod.every((p) => total.some((t) => t.denom === p.denom))) {
        throw SdkErrors.invalidCoins.wrap("period spend limit has different currency than basic spend limit");
      }
      if (Number(periodic.period?.seconds.toString() ?? "0") < 0)
        throw FeegrantErrors.invalidDuration.wrap("negative clock step");
      return basic.expiration;
    }
    case ALLOWED_MSG_ALLOWANCE_URL: {
      const allowed = AllowedMsgAllowance.decode(value);
      if (!allowed.allowance) throw FeegrantErrors.noAllowance.wrap("allowance should not be empty");
      if (allowed.allowedMessages.length === 0) throw FeegrantErrors.noMessages();
      return validateAllowance(allowed.allowance.typeUrl, allowed.allowance.value);
    }
    default:
      throw SdkErrors.txDecode.wrap(`unable to resolve type URL ${typeUrl}`);
  }
}

interface AcceptResult {
  readonly remove: boolean;
  readonly updated: Uint8Array;
}

/** FeeAllowanceI.Accept: throws when the fee is refused; `remove` when the allowance is used up. */
function acceptAllowance(
  typeUrl: string,
  value: Uint8Array,
  fee: readonly CoinAmount[],
  msgTypeUrls: readonly string[],
  blockTime: Date,
): AcceptResult {
  switch (typeUrl) {
    case BASIC_ALLOWANCE_URL: {
      const basic = BasicAllowance.decode(value);
      if (basic.expiration && basic.expiration.getTime() < blockTime.getTime())
        throw FeegrantErrors.feeLimitExpired.wrap("basic allowance");
      if (basic.spendLimit.length === 0) return { remove: false, updated: value };
      const { left, negative } = safeSub(coinsOf(basic.spendLimit, "spend limit"), fee);
      if (negative) throw FeegrantErrors.feeLimitExceeded.wrap("basic allowance");
      const updated = BasicAllowance.encode({ ...basic, spendLimit: toCoins(left) }).finish();
      return { remove: left.length === 0, updated };
    }
    case PERIODIC_ALLOWANCE_URL: {
      const periodic = PeriodicAllowance.decode(value);
      const basic = periodic.basic ?? BasicAllowance.fromPartial({});
      if (basic.expiration && basic.expiration.getTime() < blockTime.getTime())
        throw FeegrantErrors.feeLimitExpired.wrap("absolute limit");
      const total = coinsOf(basic.spendLimit, "spend limit");
      let canSpend = coinsOf(periodic.periodCanSpend, "can spend");
      let reset = periodic.periodReset ?? new Date(0);
      const periodMs = Number(periodic.period?.seconds.toString() ?? "0") * 1000;
      if (blockTime.getTime() >= reset.getTime()) {
        // tryResetPeriod: top up to min(period limit, what is left overall) and step the reset time.
        const perPeriod = coinsOf(periodic.periodSpendLimit, "period spend limit");
        canSpend = safeSub(total, perPeriod).negative && total.length > 0 ? total : perPeriod;
        reset = new Date(reset.getTime() + periodMs);
        if (blockTime.getTime() > reset.getTime()) reset = new Date(blockTime.getTime() + periodMs);
      }
      const period = safeSub(canSpend, fee);
      if (period.negative) throw FeegrantErrors.feeLimitExceeded.wrap("period limit");
      let remove = false;
      let spendLimit = total;
      if (total.length > 0) {
        const absolute = safeSub(total, fee);
        if (absolute.negative) throw FeegrantErrors.feeLimitExceeded.wrap("absolute limit");
        spendLimit = absolute.left;
        remove = absolute.left.length === 0;
      }
      const updated = PeriodicAllowance.encode({
        ...periodic,
        basic: { ...basic, spendLimit: toCoins(spendLimit) },
        periodCanSpend: toCoins(period.left),
        periodReset: reset,
      }).finish();
      return { remove, updated };
    }
    case ALLOWED_MSG_ALLOWANCE_URL: {
      const allowed = AllowedMsgAllowance.decode(value);
      if (!msgTypeUrls.every((url) => allowed.allowedMessages.includes(url)))
        throw FeegrantErrors.messageNotAllowed.wrap("message does not exist in allowed messages");
      const inner = allowed.allowance!;
      const result = acceptAllowance(inner.typeUrl, inner.value, fee, msgTypeUrls, blockTime);
      const updated = AllowedMsgAllowance.encode({
        ...allowed,
        allowance: { typeUrl: inner.typeUrl, value: result.updated },
      }).finish();
      return { remove: result.remove, updated };
    }
    default:
      throw SdkErrors.txDecode.wrap(`unable to resolve type URL ${typeUrl}`);
  }
}

/**
 * feegrant keeper UseGrantedFees, as the DeductFeeDecorator calls it: the granter's allowance for
 * `grantee` must accept `fee` for these messages; it is then updated (or removed when used up).
 * A refusal is wrapped as the ante handler wraps it.
 */
export function useGrantedFees(
  state: ChainState,
  granter: string,
  grantee: string,
  fee: readonly CoinAmount[],
  msgTypeUrls: readonly string[],
  blockTime: Date,
  events?: EventCollector,
): void {
  const key = feeAllowanceKey(granter, grantee);
  const wrap = (error: ChainError) =>
    new ChainError(
      error.codespace,
      error.code,
      `${granter} does not allow to pay fees for ${grantee}: ${error.message}`,
      error.grpcCode,
    );
  const record = state.feeAllowances.get(key);
  if (!record) throw wrap(SdkErrors.notFound.wrap("fee-grant not found"));
  let result: AcceptResult;
  try {
    result = acceptAllowance(record.typeUrl, record.value, fee, msgTypeUrls, blockTime);
  } catch (error) {
    throw error instanceof ChainError ? wrap(error) : error;
  }
  if (result.remove) {
    state.feeAllowances.delete(key);
    events?.emit("revoke_feegrant", { granter, grantee });
  } else {
    state.feeAllowances.set(key, { ...record, value: result.updated });
    events?.emit("update_feegrant", { granter, grantee });
  }
  events?.emit("use_feegrant", { granter, grantee });
}

/** The allowance's expiration, if any (ExpiresAt). */
export function allowanceExpiration(record: FeeAllowanceRecord): Date | undefined {
  try {
    return validateAllowance(record.typeUrl, record.value);
  } catch {
    return undefined;
  }
}

/** feegrant EndBlocker: RemoveExpiredAllowances(200). */
export const feegrantEndBlocker: EndBlocker = (ctx) => {
  let removed = 0;
  for (const [key, record] of [...ctx.state.feeAllowances]) {
    if (removed >= PRUNE_PER_BLOCK) break;
    const expiration = allowanceExpiration(record);
    if (expiration && expiration.getTime() <= ctx.time.getTime()) {
      ctx.state.feeAllowances.delete(key);
      removed += 1;
    }
  }
};

export const feegrantHandlers = [
  defineHandler({
    codec: MsgGrantAllowance,
    responseCodec: MsgGrantAllowanceResponse,
    module: "feegrant",
    gas: 30_000,
    signer: (msg) => msg.granter,
    validateBasic(msg) {
      if (!isAkashAddress(msg.granter)) throw SdkErrors.invalidAddress.wrap("invalid granter address");
      if (!isAkashAddress(msg.grantee)) throw SdkErrors.invalidAddress.wrap("invalid grantee address");
      if (msg.granter === msg.grantee)
        throw SdkErrors.invalidAddress.wrap("cannot self-grant fee authorization");
      if (!msg.allowance) throw FeegrantErrors.noAllowance();
      validateAllowance(msg.allowance.typeUrl, msg.allowance.value);
    },
    execute(ctx, msg) {
      const key = feeAllowanceKey(msg.granter, msg.grantee);
      if (ctx.state.feeAllowances.has(key))
        throw SdkErrors.invalidRequest.wrap("fee allowance already exists");
      const allowance = msg.allowance!;
      const expiration = validateAllowance(allowance.typeUrl, allowance.value);
      if (expiration && expiration.getTime() < ctx.time.getTime())
        throw SdkErrors.invalidRequest.wrap("expiration is before current block time");
      ctx.state.ensureAccount(msg.grantee);
      ctx.state.feeAllowances.set(key, {
        granter: msg.granter,
        grantee: msg.grantee,
        typeUrl: allowance.typeUrl,
        value: allowance.value,
      });
      ctx.events.emit("set_feegrant", {
        granter: msg.granter,
        grantee: msg.grantee,
        msg_index: String(ctx.msgIndex),
      });
      return partial(MsgGrantAllowanceResponse, {});
    },
  }),
  defineHandler({
    codec: MsgRevokeAllowance,
    responseCodec: MsgRevokeAllowanceResponse,
    module: "feegrant",
    gas: 20_000,
    signer: (msg) => msg.granter,
    validateBasic(msg) {
      if (!isAkashAddress(msg.granter)) throw SdkErrors.invalidAddress.wrap("invalid granter address");
      if (!isAkashAddress(msg.grantee)) throw SdkErrors.invalidAddress.wrap("invalid grantee address");
      if (msg.granter === msg.grantee) throw SdkErrors.invalidAddress.wrap("addresses must be different");
    },
    execute(ctx, msg) {
      if (!ctx.state.feeAllowances.delete(feeAllowanceKey(msg.granter, msg.grantee))) {
        throw SdkErrors.notFound.wrap("fee-grant not found");
      }
      ctx.events.emit("revoke_feegrant", {
        granter: msg.granter,
        grantee: msg.grantee,
        msg_index: String(ctx.msgIndex),
      });
      return partial(MsgRevokeAllowanceResponse, {});
    },
  }),
];
