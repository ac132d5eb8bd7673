import type { MsgAccountDeposit } from "@akashnetwork/chain-sdk/private-types/akash.v1";
import {
  GenericAuthorization,
  MsgExec,
  MsgExecResponse,
  MsgGrant,
  MsgGrantResponse,
  MsgRevoke,
  MsgRevokeResponse,
  type MsgSend,
  SendAuthorization,
} from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";
import { isAkashAddress } from "../addresses.js";
import { AuthzErrors, ChainError, EscrowErrors, SdkErrors } from "../chain-errors.js";
import { type GrantRecord, grantKey } from "../chain-state.js";
import type { EventCollector } from "../events.js";
import { defineHandler, type MsgHandler, partial } from "../msg-handler.js";
import { parseCoinAmount } from "./bank.js";
import { decodeDepositAuth, tryAcceptDeposit, validateDepositAuth } from "./deposit-authorization.js";
import { DEPOSIT_AUTHORIZATION_URL, EscrowScope, MSG_ACCOUNT_DEPOSIT_URL } from "./escrow-keeper.js";

export const GENERIC_AUTHORIZATION_URL = "/cosmos.authz.v1beta1.GenericAuthorization";
export const SEND_AUTHORIZATION_URL = "/cosmos.bank.v1beta1.SendAuthorization";
const MSG_SEND_URL = "/cosmos.bank.v1beta1.MsgSend";

type HandlerLookup = (typeUrl: string) => MsgHandler | undefined;

function decodeOr<T>(typeUrl: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    throw SdkErrors.txDecode.wrap(`failed to decode ${typeUrl}: ${(error as Error).message}`);
  }
}

/** Authorization.ValidateBasic; returns the message type URL the authorization grants (MsgTypeURL). */
function grantedMsgType(typeUrl: string, value: Uint8Array): string {
  switch (typeUrl) {
    case DEPOSIT_AUTHORIZATION_URL:
      validateDepositAuth(decodeOr(typeUrl, () => decodeDepositAuth(value)));
      return MSG_ACCOUNT_DEPOSIT_URL;
    case GENERIC_AUTHORIZATION_URL:
      return decodeOr(typeUrl, () => GenericAuthorization.decode(value)).msg;
    case SEND_AUTHORIZATION_URL: {
      const auth = decodeOr(typeUrl, () => SendAuthorization.decode(value));
      if (auth.spendLimit.length === 0) throw SdkErrors.invalidCoins.wrap("spend limit cannot be nil");
      for (const coin of auth.spendLimit) {
        if (parseCoinAmount(coin, "spend limit").amount === 0n)
          throw SdkErrors.invalidCoins.wrap("spend limit must be positive");
      }
      if (new Set(auth.allowList).size !== auth.allowList.length)
        throw SdkErrors.invalidRequest.wrap("duplicate entry found");
      return MSG_SEND_URL;
    }
    default:
      throw AuthzErrors.unknownAuthorization.wrap(typeUrl);
  }
}

interface AcceptResponse {
  readonly accept: boolean;
  readonly delete: boolean;
  readonly updated?: Uint8Array;
}

/** Authorization.Accept (the MsgExec path: never partial). */
function acceptAuthorization(grant: GrantRecord, message: unknown): AcceptResponse {
  switch (grant.authorizationTypeUrl) {
    case GENERIC_AUTHORIZATION_URL:
      return { accept: true, delete: false };
    case SEND_AUTHORIZATION_URL: {
      const auth = SendAuthorization.decode(grant.authorization);
      const send = message as MsgSend;
      const limits = auth.spendLimit.map((c) => parseCoinAmount(c, "spend limit"));
      const left = limits.map((l) => ({ ...l }));
      for (const coin of send.amount.map((c) => parseCoinAmount(c, "amount"))) {
        const limit = left.find((l) => l.denom === coin.denom);
        if (!limit || limit.amount < coin.amount)
          throw SdkErrors.insufficientFunds.wrap("requested amount is more than spend limit");
        limit.amount -= coin.amount;
      }
      if (auth.allowList.length > 0 && !auth.allowList.includes(send.toAddress)) {
        throw SdkErrors.unauthorized.wrap(`cannot send to ${send.toAddress} address`);
      }
      const remaining = left.filter((l) => l.amount > 0n);
      if (remaining.length === 0) return { accept: true, delete: true };
      const updated = SendAuthorization.encode(
        SendAuthorization.fromPartial({
          spendLimit: remaining.map((l) => ({ denom: l.denom, amount: l.amount.toString() })),
          allowList: auth.allowList,
        }),
      ).finish();
      return { accept: true, delete: false, updated };
    }
    case DEPOSIT_AUTHORIZATION_URL: {
      const deposit = message as MsgAccountDeposit;
      const scope = deposit.id?.scope;
      if (scope !== EscrowScope.deployment && scope !== EscrowScope.bid)
        throw EscrowErrors.unauthorizedDepositScope();
      const coin = parseCoinAmount(deposit.deposit?.amount, "deposit");
      const result = tryAcceptDeposit(
        decodeDepositAuth(grant.authorization),
        scope,
        coin.denom,
        coin.amount,
        false,
      );
      if (!result.accepted) return { accept: false, delete: false };
      return { accept: true, delete: result.exhausted, updated: result.updated };
    }
    default:
      throw AuthzErrors.unknownAuthorization.wrap(grant.authorizationTypeUrl);
  }
}

function emitGrantEvent(
  events: EventCollector,
  type: "EventGrant" | "EventRevoke",
  g: { granter: string; grantee: string; msgTypeUrl: string },
  msgIndex: number,
) {
  events.emit(`cosmos.authz.v1beta1.${type}`, {
    msg_type_url: JSON.stringify(g.msgTypeUrl),
    granter: JSON.stringify(g.granter),
    grantee: JSON.stringify(g.grantee),
    msg_index: String(msgIndex),
  });
}

/** The x/authz messages. `lookup` resolves the messages a MsgGrant names and a MsgExec carries. */
export function authzHandlers(lookup: HandlerLookup): MsgHandler[] {
  return [
    defineHandler({
      codec: MsgGrant,
      responseCodec: MsgGrantResponse,
      module: "authz",
      gas: 30_000,
      signer: (msg) => msg.granter,
      validateBasic(msg) {
        if (!isAkashAddress(msg.granter)) throw SdkErrors.invalidAddress.wrap("invalid granter address");
        if (!isAkashAddress(msg.grantee)) throw SdkErrors.invalidAddress.wrap("invalid grantee address");
        if (msg.granter === msg.grantee) throw AuthzErrors.granteeIsGranter();
        const authorization = msg.grant?.authorization;
        if (!authorization) throw AuthzErrors.unknownAuthorization.wrap("authorization is nil");
        grantedMsgType(authorization.typeUrl, authorization.value);
      },
      execute(ctx, msg) {
        const authorization = msg.grant!.authorization!;
        const expiration = msg.grant?.expiration;
        const msgTypeUrl = grantedMsgType(authorization.typeUrl, authorization.value);
        if (!lookup(msgTypeUrl)) throw SdkErrors.invalidType.wrap(`${msgTypeUrl} doesn't exist.`);
        if (expiration && expiration.getTime() <= ctx.time.getTime()) {
          throw AuthzErrors.invalidExpirationTime.wrap(`block time ${ctx.time.toISOString()}`);
        }
        ctx.state.ensureAccount(msg.grantee);
        const record: GrantRecord = {
          granter: msg.granter,
          grantee: msg.grantee,
          msgTypeUrl,
          authorizationTypeUrl: authorization.typeUrl,
          authorization: authorization.value,
          ...(expiration ? { expiration } : {}),
        };
        // SaveGrant overwrites a grant for the same (granter, grantee, msg type).
        ctx.state.grants.set(grantKey(msg.granter, msg.grantee, msgTypeUrl), record);
        emitGrantEvent(ctx.events, "EventGrant", record, ctx.msgIndex);
        return partial(MsgGrantResponse, {});
      },
    }),
    defineHandler({
      codec: MsgRevoke,
      responseCodec: MsgRevokeResponse,
      module: "authz",
      gas: 20_000,
      signer: (msg) => msg.granter,
      validateBasic(msg) {
        if (!isAkashAddress(msg.granter)) throw SdkErrors.invalidAddress.wrap("invalid granter address");
        if (!isAkashAddress(msg.grantee)) throw SdkErrors.invalidAddress.wrap("invalid grantee address");
        if (msg.granter === msg.grantee) throw AuthzErrors.granteeIsGranter();
        if (!msg.msgTypeUrl) throw SdkErrors.invalidRequest.wrap("missing msg method name");
      },
      execute(ctx, msg) {
        const key = grantKey(msg.granter, msg.grantee, msg.msgTypeUrl);
        if (!ctx.state.grants.delete(key)) {
          throw AuthzErrors.noAuthorizationFound.wrap(`failed to delete grant with key ${key}`);
        }
        emitGrantEvent(ctx.events, "EventRevoke", msg, ctx.msgIndex);
        return partial(MsgRevokeResponse, {});
      },
    }),
    defineHandler({
      codec: MsgExec,
      responseCodec: MsgExecResponse,
      module: "authz",
      gas: 20_000,
      signer: (msg) => msg.grantee,
      validateBasic(msg) {
        if (!isAkashAddress(msg.grantee)) throw SdkErrors.invalidAddress.wrap("invalid grantee address");
        if (msg.msgs.length === 0) throw SdkErrors.invalidRequest.wrap("messages cannot be empty");
        for (const any of msg.msgs) {
          const handler = lookup(any.typeUrl);
          if (!handler) throw SdkErrors.txDecode.wrap(`unable to resolve type URL ${any.typeUrl}`);
          handler.validateBasic(decodeOr(any.typeUrl, () => handler.decode(any.value)));
        }
      },
      execute(ctx, msg) {
        const results: Uint8Array[] = [];
        for (const any of msg.msgs) {
          const handler = lookup(any.typeUrl)!;
          const inner = handler.decode(any.value);
          const granter = handler.signer(inner);
          if (granter !== msg.grantee) {
            const key = grantKey(granter, msg.grantee, any.typeUrl);
            const grant = ctx.state.grants.get(key);
            if (!grant) {
              throw AuthzErrors.noAuthorizationFound.wrap(
                `failed to get grant with given granter: ${granter}, grantee: ${msg.grantee} & msgType: ${any.typeUrl} `,
              );
            }
            if (grant.expiration && grant.expiration.getTime() < ctx.time.getTime()) {
              throw AuthzErrors.authorizationExpired();
            }
            const response = acceptAuthorization(grant, inner);
            if (response.delete) {
              ctx.state.grants.delete(key);
              emitGrantEvent(ctx.events, "EventRevoke", grant, ctx.msgIndex);
            } else if (response.updated) {
              ctx.state.grants.set(key, { ...grant, authorization: response.updated });
            }
            if (!response.accept) throw SdkErrors.unauthorized();
          }
          try {
            results.push(handler.execute(ctx, inner).value);
          } catch (error) {
            if (!(error instanceof ChainError)) throw error;
            throw new ChainError(
              error.codespace,
              error.code,
              `failed to execute message; message ${any.typeUrl}: ${error.message}`,
              error.grpcCode,
            );
          }
        }
        return partial(MsgExecResponse, { results });
      },
    }),
  ];
}
