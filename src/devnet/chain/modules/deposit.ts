import { EscrowErrors, SdkErrors } from "../chain-errors.js";
import type { DepositRequest } from "./escrow-keeper.js";

interface DepositMessage {
  amount?: { denom: string; amount: string } | undefined;
  sources: number[];
}

/** Deposit.ValidateBasic: a valid coin and a non-empty, duplicate-free list of balance/grant sources. */
export function parseDeposit(deposit: DepositMessage | undefined, allowZero: boolean): DepositRequest {
  const coin = deposit?.amount;
  if (!deposit || !coin || !/^\d+$/.test(coin.amount) || !coin.denom) {
    throw SdkErrors.invalidCoins.wrap("Deposit: invalid amount");
  }
  const amount = BigInt(coin.amount);
  if (!allowZero && amount === 0n)
    throw EscrowErrors.invalidDeposit.wrap("deposit amount must be greater than zero");
  if (deposit.sources.length === 0)
    throw EscrowErrors.invalidDeposit.wrap("deposit sources must not be empty");
  const seen = new Set<number>();
  for (const source of deposit.sources) {
    if (source !== 1 && source !== 2)
      throw EscrowErrors.invalidDeposit.wrap(`invalid deposit source ${source}`);
    if (seen.has(source)) throw EscrowErrors.invalidDeposit.wrap("duplicate deposit source");
    seen.add(source);
  }
  return { denom: coin.denom, amount, sources: deposit.sources };
}
