import {
  BasicAllowance,
  MsgGrant,
  MsgGrantAllowance,
  MsgRevoke,
  MsgRevokeAllowance,
} from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { DEPOSIT_AUTHORIZATION_MSG_TYPE_URL, depositAuthorizationAny } from "./deposit-authorization.js";

/**
 * The authz and feegrant messages a parent signs for a child's budget (`reference/akash-authz-facts.md`
 * §1, §4): an escrow DepositAuthorization for deployment deposits in uact, and a BasicAllowance in
 * uakt for the child's fees. Pure: no I/O.
 */

export const BASIC_ALLOWANCE_TYPE_URL = `/${BasicAllowance.$type}`;

/** Protobuf Timestamps of grants are compared to block time in whole seconds here. */
export const wholeSecondsOf = (ms: number): number => Math.floor(ms / 1000);
const expirationOf = (ms: number): Date => new Date(wholeSecondsOf(ms) * 1000);

/** MsgGrant of a DepositAuthorization{scopes:[deployment], spend_limits:[{uact, limit}]} expiring at `expiresAt` (ms). */
export function depositGrantMessage(input: {
  granter: string;
  grantee: string;
  limitUact: string;
  expiresAt: number;
}): EncodeObject {
  return {
    typeUrl: `/${MsgGrant.$type}`,
    value: MsgGrant.fromPartial({
      granter: input.granter,
      grantee: input.grantee,
      grant: {
        authorization: depositAuthorizationAny({
          scopes: ["deployment"],
          spendLimits: [{ denom: "uact", amount: BigInt(input.limitUact) }],
        }),
        expiration: expirationOf(input.expiresAt),
      },
    }),
  };
}

/** MsgRevoke of the deposit grant (keyed by the msg type MsgAccountDeposit). */
export function revokeDepositGrantMessage(input: { granter: string; grantee: string }): EncodeObject {
  return {
    typeUrl: `/${MsgRevoke.$type}`,
    value: MsgRevoke.fromPartial({
      granter: input.granter,
      grantee: input.grantee,
      msgTypeUrl: DEPOSIT_AUTHORIZATION_MSG_TYPE_URL,
    }),
  };
}

/**
 * MsgGrantAllowance of a BasicAllowance{spend_limit:[{uakt, limit}], expiration}. Granting over an
 * existing allowance fails on chain (`fee allowance already exists`), so with `replacing` a
 * MsgRevokeAllowance goes first in the same tx, as Console does.
 */
export function feeAllowanceMessages(input: {
  granter: string;
  grantee: string;
  limitUakt: string;
  expiresAt: number;
  replacing: boolean;
}): EncodeObject[] {
  const allowance = BasicAllowance.encode(
    BasicAllowance.fromPartial({
      spendLimit: [{ denom: "uakt", amount: input.limitUakt }],
      expiration: expirationOf(input.expiresAt),
    }),
  ).finish();
  const grant: EncodeObject = {
    typeUrl: `/${MsgGrantAllowance.$type}`,
    value: MsgGrantAllowance.fromPartial({
      granter: input.granter,
      grantee: input.grantee,
      allowance: { typeUrl: BASIC_ALLOWANCE_TYPE_URL, value: allowance },
    }),
  };
  return input.replacing ? [revokeFeeAllowanceMessage(input), grant] : [grant];
}

export function revokeFeeAllowanceMessage(input: { granter: string; grantee: string }): EncodeObject {
  return {
    typeUrl: `/${MsgRevokeAllowance.$type}`,
    value: MsgRevokeAllowance.fromPartial({ granter: input.granter, grantee: input.grantee }),
  };
}
