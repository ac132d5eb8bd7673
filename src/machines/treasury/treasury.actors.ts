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
  /** `MsgAccountDeposit` into a deployment's escrow. */
  depositEscrow: actorContract<SpendDone, DepositEscrowInput>("depositEscrow"),
  /** Give a child a capped budget (authz DepositAuthorization with a spend limit, plus AKT for fees). */
  fundChild: actorContract<SpendDone, FundChildInput>("fundChild"),
  /** Swap CRO for AKT on the Cronos DEX and bring it to the Akash account. */
  swapCroForAkt: actorContract<SwapOutput, SwapInput>("swapCroForAkt"),
};
