import { type ChainParams, ChainState } from "./chain-state.js";
import { decFromString } from "./decimal.js";

export interface GenesisAccount {
  readonly address: string;
  readonly coins: readonly { denom: string; amount: bigint }[];
}

export const DEFAULT_CHAIN_PARAMS: ChainParams = {
  deploymentMinDeposits: [
    { denom: "uakt", amount: 500_000n },
    { denom: "uact", amount: 500_000n },
  ],
  bidMinDeposits: [
    { denom: "uakt", amount: 500_000n },
    { denom: "uact", amount: 500_000n },
  ],
  orderMaxBids: 20,
  bmeMinEpochBlocks: 10n,
  bmeMintSpreadBps: 0,
  aktPriceUsd: decFromString("1.25"),
};

/** Builds the genesis state: funded accounts in the order given (account numbers follow that order). */
export function buildGenesisState(
  accounts: readonly GenesisAccount[],
  params: ChainParams = DEFAULT_CHAIN_PARAMS,
): ChainState {
  const state = new ChainState(params);
  for (const account of accounts) {
    state.ensureAccount(account.address);
    for (const coin of account.coins) state.credit(account.address, coin.denom, coin.amount);
  }
  return state;
}
