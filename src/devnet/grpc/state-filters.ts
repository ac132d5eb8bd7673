import { GrpcCode, QueryError } from "../chain/chain-errors.js";

/** Filter strings are the lower-case proto enum names; "" means every state. */
export function parseStateFilter(value: string, names: Record<string, number>): number | undefined {
  if (value === "") return undefined;
  const state = names[value];
  if (state === undefined) throw new QueryError(GrpcCode.InvalidArgument, "invalid state value");
  return state;
}

export const DEPLOYMENT_STATES = { active: 1, closed: 2 };
export const ORDER_STATES = { open: 1, active: 2, closed: 3 };
export const BID_STATES = { open: 1, active: 2, lost: 3, closed: 4 };
export const LEASE_STATES = { active: 1, insufficient_funds: 2, closed: 3, reclaiming: 4 };
export const ESCROW_STATES = { open: 1, closed: 2, overdrawn: 3 };
export const CERT_STATES = { valid: 1, revoked: 2 };
export const LEDGER_STATES = { ledger_record_status_pending: 1, ledger_record_status_executed: 2 };
