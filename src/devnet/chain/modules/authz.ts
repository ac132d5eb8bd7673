import { DepositAuthorization } from "@akashnetwork/chain-sdk/private-types/akash.v1";
import {
  GenericAuthorization,
  MsgGrant,
  MsgGrantResponse,
  MsgRevoke,
  MsgRevokeResponse,
  SendAuthorization,
} from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";
import { isAkashAddress } from "../addresses.js";
import { AuthzErrors, SdkErrors } from "../chain-errors.js";
import { grantKey } from "../chain-state.js";
import { defineHandler, partial } from "../msg-handler.js";
import { DEPOSIT_AUTHORIZATION_URL, MSG_ACCOUNT_DEPOSIT_URL } from "./escrow-keeper.js";

/** The message type URL an authorization grants (Authorization.MsgTypeURL). */
function grantedMsgType(typeUrl: string, value: Uint8Array): string {
  switch (typeUrl) {
    case DEPOSIT_AUTHORIZATION_URL: {
      const auth = DepositAuthorization.decode(value);
      if (
        !auth.spendLimit ||
        !/^\d+$/.test(auth.spendLimit.amount) ||
        BigInt(auth.spendLimit.amount) === 0n
      ) {
        throw SdkErrors.invalidCoins.wrap("spend limit cannot be nil or zero");
      }
      return MSG_ACCOUNT_DEPOSIT_URL;
    }
    case "/cosmos.authz.v1beta1.GenericAuthorization":
      return GenericAuthorization.decode(value).msg;
    case "/cosmos.bank.v1beta1.SendAuthorization":
      SendAuthorization.decode(value);
      return "/cosmos.bank.v1beta1.MsgSend";
    default:
      throw AuthzErrors.unknownAuthorization.wrap(typeUrl);
  }
}

export const authzHandlers = [
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
      if (expiration && expiration.getTime() <= ctx.time.getTime()) {
        throw AuthzErrors.invalidExpirationTime.wrap(`block time ${ctx.time.toISOString()}`);
      }
      const msgTypeUrl = grantedMsgType(authorization.typeUrl, authorization.value);
      const record = {
        granter: msg.granter,
        grantee: msg.grantee,
        msgTypeUrl,
        authorizationTypeUrl: authorization.typeUrl,
        authorization: authorization.value,
        ...(expiration ? { expiration } : {}),
      };
      ctx.state.grants.set(grantKey(msg.granter, msg.grantee, msgTypeUrl), record);
      ctx.events.emit("cosmos.authz.v1beta1.EventGrant", {
        msg_type_url: JSON.stringify(msgTypeUrl),
        granter: JSON.stringify(msg.granter),
        grantee: JSON.stringify(msg.grantee),
        msg_index: String(ctx.msgIndex),
      });
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
      if (!ctx.state.grants.delete(key)) throw AuthzErrors.noAuthorizationFound();
      ctx.events.emit("cosmos.authz.v1beta1.EventRevoke", {
        msg_type_url: JSON.stringify(msg.msgTypeUrl),
        granter: JSON.stringify(msg.granter),
        grantee: JSON.stringify(msg.grantee),
        msg_index: String(ctx.msgIndex),
      });
      return partial(MsgRevokeResponse, {});
    },
  }),
];
