import { MsgSend, MsgSendResponse } from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";
import { isAkashAddress } from "../addresses.js";
import { BankErrors, SdkErrors } from "../chain-errors.js";
import type { ChainState } from "../chain-state.js";
import type { EventCollector } from "../events.js";
import { defineHandler, partial } from "../msg-handler.js";

export interface CoinAmount {
  readonly denom: string;
  readonly amount: bigint;
}

export const formatCoins = (coins: readonly CoinAmount[]) =>
  coins.map((c) => `${c.amount}${c.denom}`).join(",");

/** Denoms whose bank transfers are disabled (ACT is minted to its holder and not transferable). */
const NON_TRANSFERABLE = new Set(["uact"]);

export function subtractCoins(state: ChainState, address: string, coins: readonly CoinAmount[]): void {
  for (const coin of coins) {
    const have = state.balance(address, coin.denom);
    if (have < coin.amount) {
      throw SdkErrors.insufficientFunds.wrap(
        `spendable balance ${have}${coin.denom} is smaller than ${coin.amount}${coin.denom}`,
      );
    }
  }
  for (const coin of coins)
    state.setBalance(address, coin.denom, state.balance(address, coin.denom) - coin.amount);
}

/** x/bank SendCoins: moves coins and emits coin_spent / coin_received / transfer. */
export function sendCoins(
  state: ChainState,
  from: string,
  to: string,
  coins: readonly CoinAmount[],
  events?: EventCollector,
): void {
  const positive = coins.filter((c) => c.amount > 0n);
  if (positive.length === 0) return;
  subtractCoins(state, from, positive);
  for (const coin of positive) state.credit(to, coin.denom, coin.amount);
  if (events) {
    const amount = formatCoins(positive);
    events.emit("coin_spent", { spender: from, amount });
    events.emit("coin_received", { receiver: to, amount });
    events.emit("transfer", { recipient: to, sender: from, amount });
  }
}

export function parseCoinAmount(
  coin: { denom: string; amount: string } | undefined,
  field: string,
): CoinAmount {
  if (!coin || !/^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/.test(coin.denom) || !/^\d+$/.test(coin.amount)) {
    throw SdkErrors.invalidCoins.wrap(`${field}: ${coin ? `${coin.amount}${coin.denom}` : "missing"}`);
  }
  return { denom: coin.denom, amount: BigInt(coin.amount) };
}

export const bankHandlers = [
  defineHandler({
    codec: MsgSend,
    responseCodec: MsgSendResponse,
    module: "bank",
    gas: 15_000,
    signer: (msg) => msg.fromAddress,
    validateBasic(msg) {
      if (!isAkashAddress(msg.fromAddress)) throw SdkErrors.invalidAddress.wrap(`invalid from address`);
      if (!isAkashAddress(msg.toAddress)) throw SdkErrors.invalidAddress.wrap(`invalid to address`);
      if (msg.amount.length === 0) throw SdkErrors.invalidCoins.wrap("empty amount");
      for (const coin of msg.amount) {
        const parsed = parseCoinAmount(coin, "amount");
        if (parsed.amount === 0n) throw SdkErrors.invalidCoins.wrap(`0${coin.denom}`);
      }
    },
    execute(ctx, msg) {
      const coins = msg.amount.map((c) => parseCoinAmount(c, "amount"));
      for (const coin of coins) {
        if (NON_TRANSFERABLE.has(coin.denom)) {
          throw BankErrors.sendDisabled.wrap(`${coin.denom} transfers are currently disabled`);
        }
      }
      sendCoins(ctx.state, msg.fromAddress, msg.toAddress, coins, ctx.events);
      return partial(MsgSendResponse, {});
    },
  }),
];
