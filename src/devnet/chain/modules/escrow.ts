import { MsgAccountDeposit, MsgAccountDepositResponse } from "@akashnetwork/chain-sdk/private-types/akash.v1";
import { isAkashAddress } from "../addresses.js";
import { EscrowErrors, SdkErrors } from "../chain-errors.js";
import { defineHandler, partial } from "../msg-handler.js";
import { parseDeposit } from "./deposit.js";
import { accountDeposit, authorizeDeposits, EscrowScope, getEscrowAccount } from "./escrow-keeper.js";

function validateAccountId(id: { scope: number; xid: string } | undefined): { scope: number; xid: string } {
  if (!id || (id.scope !== EscrowScope.deployment && id.scope !== EscrowScope.bid))
    throw EscrowErrors.invalidId.wrap("invalid scope");
  const parts = id.xid.split("/");
  const expected = id.scope === EscrowScope.deployment ? 2 : 5;
  if (parts.length !== expected || !isAkashAddress(parts[0]!) || !/^\d+$/.test(parts[1] ?? "")) {
    throw EscrowErrors.invalidId.wrap(`invalid xid ${id.xid}`);
  }
  return { scope: id.scope, xid: id.xid };
}

export const escrowHandlers = [
  defineHandler({
    codec: MsgAccountDeposit,
    responseCodec: MsgAccountDepositResponse,
    module: "escrow",
    gas: 50_000,
    signer: (msg) => msg.signer,
    validateBasic(msg) {
      if (!isAkashAddress(msg.signer))
        throw SdkErrors.invalidAddress.wrap("MsgAccountDeposit: Invalid Signer Address");
      validateAccountId(msg.id);
      parseDeposit(msg.deposit, false);
    },
    execute(ctx, msg) {
      const { scope, xid } = validateAccountId(msg.id);
      const deposit = parseDeposit(msg.deposit, false);
      const account = getEscrowAccount(ctx.state, scope, xid);
      if (!account) throw EscrowErrors.accountNotFound();
      if (account.state === 2) throw EscrowErrors.accountClosed();
      const depositors = authorizeDeposits(ctx, msg.signer, deposit, scope);
      accountDeposit(ctx, scope, xid, depositors);
      ctx.events.emit("akash.escrow.v1.EventAccountDeposit", {
        id: JSON.stringify({ scope: scope === 1 ? "deployment" : "bid", xid }),
        amount: `${deposit.amount}${deposit.denom}`,
        msg_index: String(ctx.msgIndex),
      });
      return partial(MsgAccountDepositResponse, {});
    },
  }),
];
