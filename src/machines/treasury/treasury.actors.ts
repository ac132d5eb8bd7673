import { actorContract } from "../shared/index.js";
import type { Balances } from "./treasury.types.js";

export interface EnsureActInput {
  key: string;
  amountUact: string;
  /** ACT to keep minted beyond `amountUact` (the float), minted along when AKT allows; not waited for. */
  floatUact?: string;
}
export interface EnsureActOutput {
  at: number;
  /** ACT minted for this request (0 when the balance already sufficed). */
  mintedUact: string;
}

export interface DepositEscrowInput {
  key: string;
  dseq: string;
  amountUact: string;
}

/** An escrow top-up: the deposit under `key`, the ACT it needs made sure of under `key:act`. */
export interface TopUpEscrowInput {
  key: string;
  dseq: string;
  amountUact: string;
  /** As for `ensureAct`: ACT kept minted beyond the deposit. */
  floatUact?: string;
}

export interface FundChildInput {
  key: string;
  childAddress: string;
  amountUact: string;
}

export interface SwapInput {
  key: string;
  amountUakt: string;
}
export interface SwapOutput {
  at: number;
  receivedUakt: string;
  spentUsd: number;
}

export interface SpendDone {
  at: number;
}

export const treasuryActorContracts = {
  readBalances: actorContract<Balances, void>("readBalances"),
  /** Make sure the account holds `amountUact` of ACT, minting from AKT (and waiting for settlement) if short. */
  ensureAct: actorContract<EnsureActOutput, EnsureActInput>("ensureAct"),
  /**
   * An escrow top-up as one effect: `ensureAct`'s work, then `depositEscrow`'s. One effect is one
   * barrier (DESIGN §17), so a top-up costs one write; a re-run finishes a deposit already begun.
   */
  topUpEscrow: actorContract<SpendDone, TopUpEscrowInput>("topUpEscrow"),
  /** Give a child a capped budget (authz DepositAuthorization with a spend limit, plus AKT for fees). */
  fundChild: actorContract<SpendDone, FundChildInput>("fundChild"),
  /** Swap CRO for AKT on the Cronos DEX and bring it to the Akash account. */
  swapCroForAkt: actorContract<SwapOutput, SwapInput>("swapCroForAkt"),
};
