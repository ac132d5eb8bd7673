import type { Balances } from "./akash-types.js";
import type { ChainQueries } from "./chain-queries.js";
import type { DepositGrantState, FeeAllowanceState, GrantQueries } from "./grant-queries.js";

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/**
 * What a child funded by grants can spend: uact = min(the deposit grant's remaining limit, the
 * parent's uact), since a grant draw moves the parent's bank coins; uakt = its own uakt plus what the
 * fee allowance still pays (no more than the parent holds). Expired grants are not shown by the chain.
 */
export function spendableUnderGrants(input: {
  own: Balances;
  parent: Balances;
  deposit: DepositGrantState | null;
  fee: FeeAllowanceState | null;
}): Balances {
  const { own, parent, deposit, fee } = input;
  const parentUakt = BigInt(parent.uakt);
  const uact = deposit ? min(BigInt(deposit.remainingUact), BigInt(parent.uact)) : 0n;
  const feeUakt = fee
    ? fee.remainingUakt === null
      ? parentUakt
      : min(BigInt(fee.remainingUakt), parentUakt)
    : 0n;
  return { uakt: (BigInt(own.uakt) + feeUakt).toString(), uact: uact.toString() };
}

/** The child's balances as {@link spendableUnderGrants} counts them, read from the chain. */
export async function grantFundedBalances(
  owner: string,
  funding: { readonly parent: string; readonly grants: GrantQueries },
  queries: ChainQueries,
): Promise<Balances> {
  const [own, parent, deposit, fee] = await Promise.all([
    queries.balances(owner),
    queries.balances(funding.parent),
    funding.grants.depositGrant(funding.parent, owner),
    funding.grants.feeAllowance(funding.parent, owner),
  ]);
  return spendableUnderGrants({ own, parent, deposit, fee });
}
