import { fromBech32, toHex } from "@cosmjs/encoding";
import { MODULE_ADDRESSES } from "../addresses.js";
import { EscrowErrors, fmtWrapped, MarketErrors } from "../chain-errors.js";
import {
  type ChainState,
  type DecCoinValue,
  type DepositorRecord,
  type EscrowAccountRecord,
  escrowAccountKey,
  type GrantRecord,
  grantKey,
  type PaymentRecord,
  paymentKey,
} from "../chain-state.js";
import { decFromInt, decMin, decTruncate } from "../decimal.js";
import type { EventCollector } from "../events.js";
import { sendCoins } from "./bank.js";
import {
  type DepositAcceptance,
  type DepositAuth,
  decodeDepositAuth,
  restoreDepositAuth,
  tryAcceptDeposit,
} from "./deposit-authorization.js";
import { onEscrowAccountClosed, onEscrowPaymentClosed } from "./escrow-hooks.js";

/** akash.escrow.types.v1.State */
export const EscrowState = { open: 1, closed: 2, overdrawn: 3 } as const;
/** akash.escrow.id.v1.Scope */
export const EscrowScope = { deployment: 1, bid: 2 } as const;
/** akash.base.deposit.v1.Source */
export const DepositSource = { balance: 1, grant: 2 } as const;

export const DEPOSIT_AUTHORIZATION_URL = "/akash.escrow.v1.DepositAuthorization";
export const MSG_ACCOUNT_DEPOSIT_URL = "/akash.escrow.v1.MsgAccountDeposit";

export interface EscrowContext {
  readonly state: ChainState;
  readonly height: bigint;
  readonly time: Date;
  readonly events?: EventCollector;
}

export interface DepositRequest {
  readonly denom: string;
  readonly amount: bigint;
  readonly sources: readonly number[];
}

const zero = (denom: string): DecCoinValue => ({ denom, amount: 0n });

export function getEscrowAccount(
  state: ChainState,
  scope: number,
  xid: string,
): EscrowAccountRecord | undefined {
  return state.escrowAccounts.get(escrowAccountKey(scope, xid));
}

export function accountPayments(
  state: ChainState,
  account: EscrowAccountRecord,
  states: readonly number[],
): PaymentRecord[] {
  const prefix = `${account.scope}:${account.xid}#`;
  const out: PaymentRecord[] = [];
  for (const [key, payment] of state.payments) {
    if (key.startsWith(prefix) && states.includes(payment.state)) out.push(payment);
  }
  return out;
}

/** The signer's live DepositAuthorization grants, ordered by granter address bytes (the fork's index). */
function depositGrantsOf(ctx: EscrowContext, grantee: string): [string, GrantRecord][] {
  const found: [string, GrantRecord][] = [];
  for (const entry of ctx.state.grants) {
    const grant = entry[1];
    if (grant.grantee !== grantee || grant.msgTypeUrl !== MSG_ACCOUNT_DEPOSIT_URL) continue;
    if (grant.authorizationTypeUrl !== DEPOSIT_AUTHORIZATION_URL) continue;
    if (grant.expiration && grant.expiration.getTime() < ctx.time.getTime()) continue;
    found.push(entry);
  }
  const bytesOf = (address: string) => toHex(fromBech32(address).data);
  return found.sort(([, a], [, b]) => {
    const x = bytesOf(a.granter);
    const y = bytesOf(b.granter);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * escrow keeper AuthorizeDeposits: draws each deposit from the signer's spendable balance and/or the
 * DepositAuthorization grants given to the signer, in the order the sources are listed.
 */
export function authorizeDeposits(
  ctx: EscrowContext,
  signer: string,
  deposit: DepositRequest,
  scope: number,
): DepositorRecord[] {
  const depositors: DepositorRecord[] = [];
  let remainder = deposit.amount;
  for (const source of deposit.sources) {
    if (remainder === 0n) break;
    if (source === DepositSource.balance) {
      const spendable = ctx.state.balance(signer, deposit.denom);
      if (spendable > 0n) {
        const take = decMin(spendable, remainder);
        depositors.push({
          owner: signer,
          height: ctx.height,
          source,
          balance: { denom: deposit.denom, amount: decFromInt(take) },
        });
        remainder -= take;
      }
    } else if (source === DepositSource.grant) {
      for (const [key, grant] of depositGrantsOf(ctx, signer)) {
        if (remainder === 0n) break;
        let acceptance: DepositAcceptance;
        try {
          acceptance = tryAcceptDeposit(
            decodeDepositAuth(grant.authorization),
            scope,
            deposit.denom,
            remainder,
            true,
          );
        } catch {
          continue; // unreadable grant or wrong scope: the keeper skips it
        }
        if (!acceptance.accepted) continue;
        // The direct path ignores Delete: an exhausted grant stays, with empty spend_limits.
        ctx.state.grants.set(key, { ...grant, authorization: acceptance.updated });
        depositors.push({
          owner: grant.granter,
          height: ctx.height,
          source,
          balance: { denom: deposit.denom, amount: decFromInt(acceptance.take) },
        });
        remainder -= acceptance.take;
      }
    }
  }
  // The node wraps market 28 with fmt.Errorf, so the result carries codespace "undefined", code 1.
  if (remainder > 0n) throw fmtWrapped(MarketErrors.invalidDeposit, "insufficient balance");
  return depositors;
}

function fetchDeposits(
  ctx: EscrowContext,
  account: EscrowAccountRecord,
  depositors: readonly DepositorRecord[],
) {
  let funds = [...account.funds];
  let transferred = [...account.transferred];
  for (const d of depositors) {
    if (!funds.some((f) => f.denom === d.balance.denom)) funds = [...funds, zero(d.balance.denom)];
    if (!transferred.some((t) => t.denom === d.balance.denom))
      transferred = [...transferred, zero(d.balance.denom)];
    sendCoins(
      ctx.state,
      d.owner,
      MODULE_ADDRESSES.escrow,
      [{ denom: d.balance.denom, amount: decTruncate(d.balance.amount) }],
      ctx.events,
    );
    funds = funds.map((f) =>
      f.denom === d.balance.denom
        ? { denom: f.denom, amount: (f.amount < 0n ? 0n : f.amount) + d.balance.amount }
        : f,
    );
  }
  return { ...account, funds, transferred, deposits: [...account.deposits, ...depositors] };
}

export function accountCreate(
  ctx: EscrowContext,
  scope: number,
  xid: string,
  owner: string,
  depositors: readonly DepositorRecord[],
): void {
  const key = escrowAccountKey(scope, xid);
  if (ctx.state.escrowAccounts.has(key)) throw EscrowErrors.accountClosed.wrap("account exists");
  const created = fetchDeposits(
    ctx,
    {
      scope,
      xid,
      owner,
      state: EscrowState.open,
      transferred: [],
      settledAt: ctx.height,
      funds: [],
      deposits: [],
    },
    depositors,
  );
  ctx.state.escrowAccounts.set(key, created);
}

/** Takes `amount` from the account's deposits (oldest first); returns what was taken and whether it fell short. */
function deductFromBalance(account: EscrowAccountRecord, amount: DecCoinValue) {
  let remaining = amount.amount;
  let withdrew = 0n;
  const deposits = account.deposits.map((d) => {
    if (d.balance.denom !== amount.denom || remaining === 0n) return d;
    const take = decMin(d.balance.amount, remaining);
    remaining -= take;
    withdrew += take;
    return { ...d, balance: { denom: d.balance.denom, amount: d.balance.amount - take } };
  });
  const nonEmpty = deposits.filter((d) => d.balance.amount !== 0n);
  const funds = account.funds.map((f) =>
    f.denom === amount.denom ? { denom: f.denom, amount: f.amount - withdrew - remaining } : f,
  );
  const transferred = account.transferred.map((t) =>
    t.denom === amount.denom ? { denom: t.denom, amount: t.amount + withdrew } : t,
  );
  return {
    account: { ...account, deposits: nonEmpty, funds, transferred },
    settled: withdrew,
    overdrawn: remaining > 0n,
  };
}

function paymentWithdraw(ctx: EscrowContext, payment: PaymentRecord): PaymentRecord {
  const earnings = decTruncate(payment.balance.amount);
  if (earnings <= 0n) return payment;
  sendCoins(
    ctx.state,
    MODULE_ADDRESSES.escrow,
    payment.owner,
    [{ denom: payment.balance.denom, amount: earnings }],
    ctx.events,
  );
  return {
    ...payment,
    withdrawn: { denom: payment.withdrawn.denom, amount: payment.withdrawn.amount + earnings },
    balance: { denom: payment.balance.denom, amount: payment.balance.amount - decFromInt(earnings) },
  };
}

interface SettleResult {
  account: EscrowAccountRecord;
  payments: PaymentRecord[];
  overdrawn: boolean;
}

/** keeper.accountSettle: pays every open payment its rate for each block since the last settlement. */
function accountSettle(ctx: EscrowContext, start: EscrowAccountRecord): SettleResult {
  if (start.state === EscrowState.closed) throw EscrowErrors.accountClosed();
  if ((start.funds[0]?.amount ?? 0n) < 0n) return { account: start, payments: [], overdrawn: true };
  let account = start;
  let heightDelta = 0n;
  if (account.state !== EscrowState.overdrawn) {
    heightDelta = ctx.height - account.settledAt;
    account = { ...account, settledAt: ctx.height };
  }
  // The node only loads open payments when blocks have passed; loading them always (paying zero blocks)
  // keeps a second touch in the same block (create then close a lease) from leaving a payment open.
  const previous = accountPayments(ctx.state, account, [EscrowState.overdrawn, EscrowState.open]);
  if (previous.length === 0) return { account, payments: [], overdrawn: false };

  let overdrawn = false;
  const payments = previous.map((p) => {
    const transfer =
      p.state === EscrowState.overdrawn
        ? { denom: p.unsettled.denom, amount: p.unsettled.amount }
        : { denom: p.rate.denom, amount: p.rate.amount * heightDelta };
    const unsettledBase = p.state === EscrowState.overdrawn ? 0n : p.unsettled.amount;
    const result = deductFromBalance(account, transfer);
    account = result.account;
    const balance = { denom: p.balance.denom, amount: p.balance.amount + result.settled };
    if (result.overdrawn) {
      overdrawn = true;
      return {
        ...p,
        balance,
        state: EscrowState.overdrawn,
        unsettled: { denom: p.unsettled.denom, amount: unsettledBase + (transfer.amount - result.settled) },
      };
    }
    return {
      ...p,
      balance,
      state: EscrowState.open,
      unsettled: { denom: p.unsettled.denom, amount: unsettledBase },
    };
  });
  if (!overdrawn) return { account, payments, overdrawn: false };
  account = { ...account, state: EscrowState.overdrawn };
  return {
    account,
    payments: payments.map((p) => paymentWithdraw(ctx, { ...p, state: EscrowState.overdrawn })),
    overdrawn: true,
  };
}

/** keeper.saveAccount: closed/overdrawn accounts refund their depositors and fire the account-closed hook. */
function saveAccount(ctx: EscrowContext, account: EscrowAccountRecord, previousState: number): void {
  let saved = account;
  if (account.state === EscrowState.closed || account.state === EscrowState.overdrawn) {
    let funds = [...account.funds];
    for (const d of account.deposits) {
      if (d.balance.amount <= 0n) continue;
      const withdrawal = decTruncate(d.balance.amount);
      sendCoins(
        ctx.state,
        MODULE_ADDRESSES.escrow,
        d.owner,
        [{ denom: d.balance.denom, amount: withdrawal }],
        ctx.events,
      );
      if (d.source === DepositSource.grant)
        restoreGrant(ctx, account.owner, d.owner, d.balance.denom, withdrawal);
      funds = funds.map((f) =>
        f.denom === d.balance.denom ? { denom: f.denom, amount: f.amount - d.balance.amount } : f,
      );
    }
    saved = { ...account, funds, deposits: [] };
  }
  ctx.state.escrowAccounts.set(escrowAccountKey(saved.scope, saved.xid), saved);
  if (
    (saved.state === EscrowState.closed || saved.state === EscrowState.overdrawn) &&
    previousState !== saved.state
  ) {
    onEscrowAccountClosed(ctx, saved);
  }
}

function restoreGrant(
  ctx: EscrowContext,
  grantee: string,
  granter: string,
  denom: string,
  amount: bigint,
): void {
  const key = grantKey(granter, grantee, MSG_ACCOUNT_DEPOSIT_URL);
  const grant = ctx.state.grants.get(key);
  if (!grant || grant.authorizationTypeUrl !== DEPOSIT_AUTHORIZATION_URL) return;
  if (grant.expiration && grant.expiration.getTime() < ctx.time.getTime()) return;
  let authorization: DepositAuth;
  try {
    authorization = decodeDepositAuth(grant.authorization);
  } catch {
    return;
  }
  ctx.state.grants.set(key, {
    ...grant,
    authorization: restoreDepositAuth(authorization, denom, amount),
  });
}

function savePayment(ctx: EscrowContext, payment: PaymentRecord, previousState: number): void {
  ctx.state.payments.set(paymentKey(payment.accountScope, payment.accountXid, payment.xid), payment);
  if (
    (payment.state === EscrowState.closed || payment.state === EscrowState.overdrawn) &&
    previousState !== payment.state
  ) {
    onEscrowPaymentClosed(ctx, payment);
  }
}

function save(
  ctx: EscrowContext,
  before: EscrowAccountRecord,
  result: SettleResult,
  previousPayments: Map<string, number>,
): void {
  saveAccount(ctx, result.account, before.state);
  for (const p of result.payments) savePayment(ctx, p, previousPayments.get(p.xid) ?? EscrowState.open);
}

function settleAndSave(
  ctx: EscrowContext,
  account: EscrowAccountRecord,
  mutate?: (r: SettleResult) => SettleResult,
): SettleResult {
  const previousPayments = new Map(
    accountPayments(ctx.state, account, [1, 2, 3]).map((p) => [p.xid, p.state]),
  );
  let result = accountSettle(ctx, account);
  if (mutate) result = mutate(result);
  save(ctx, account, result, previousPayments);
  return result;
}

export function accountSettleById(ctx: EscrowContext, scope: number, xid: string): boolean {
  const account = getEscrowAccount(ctx.state, scope, xid);
  if (!account) throw EscrowErrors.accountNotFound();
  return settleAndSave(ctx, account).overdrawn;
}

export function accountDeposit(
  ctx: EscrowContext,
  scope: number,
  xid: string,
  depositors: readonly DepositorRecord[],
): void {
  const account = getEscrowAccount(ctx.state, scope, xid);
  if (!account) throw EscrowErrors.accountNotFound();
  if (account.state === EscrowState.closed) throw EscrowErrors.accountClosed();
  const funded = fetchDeposits(ctx, account, depositors);
  if (account.state !== EscrowState.overdrawn) {
    ctx.state.escrowAccounts.set(escrowAccountKey(scope, xid), funded);
    return;
  }
  ctx.state.escrowAccounts.set(escrowAccountKey(scope, xid), funded);
  settleAndSave(ctx, funded, (r) => ({
    account: r.overdrawn ? r.account : { ...r.account, state: EscrowState.closed },
    payments: r.payments.map((p) =>
      paymentWithdraw(ctx, p.state === EscrowState.open ? { ...p, state: EscrowState.closed } : p),
    ),
    overdrawn: r.overdrawn,
  }));
}

export function accountClose(ctx: EscrowContext, scope: number, xid: string): void {
  const account = getEscrowAccount(ctx.state, scope, xid);
  if (!account) throw EscrowErrors.accountNotFound();
  if (account.state === EscrowState.closed) throw EscrowErrors.accountClosed();
  settleAndSave(ctx, account, (r) => ({
    account: r.account.state === EscrowState.open ? { ...r.account, state: EscrowState.closed } : r.account,
    payments: r.payments.map((p) =>
      paymentWithdraw(ctx, p.state === EscrowState.open ? { ...p, state: EscrowState.closed } : p),
    ),
    overdrawn: r.overdrawn,
  }));
}

export function paymentCreate(
  ctx: EscrowContext,
  scope: number,
  accountXid: string,
  xid: string,
  owner: string,
  rate: DecCoinValue,
): void {
  const account = getEscrowAccount(ctx.state, scope, accountXid);
  if (!account) throw EscrowErrors.accountNotFound();
  const settled = settleAndSave(ctx, account);
  if (settled.overdrawn) throw EscrowErrors.accountOverdrawn();
  const current = getEscrowAccount(ctx.state, scope, accountXid)!;
  if (!current.funds.some((f) => f.denom === rate.denom)) throw EscrowErrors.invalidDenomination();
  if (rate.amount === 0n) throw EscrowErrors.paymentRateZero();
  const key = paymentKey(scope, accountXid, xid);
  if (ctx.state.payments.has(key)) throw EscrowErrors.paymentClosed.wrap("payment exists");
  ctx.state.payments.set(key, {
    accountScope: scope,
    accountXid,
    xid,
    owner,
    state: EscrowState.open,
    rate,
    balance: zero(rate.denom),
    unsettled: zero(rate.denom),
    withdrawn: { denom: rate.denom, amount: 0n },
  });
}

export function paymentClose(ctx: EscrowContext, scope: number, accountXid: string, xid: string): void {
  const account = getEscrowAccount(ctx.state, scope, accountXid);
  const payment = ctx.state.payments.get(paymentKey(scope, accountXid, xid));
  if (!account) throw EscrowErrors.accountNotFound();
  if (!payment) throw EscrowErrors.paymentNotFound();
  if (payment.state === EscrowState.closed) throw EscrowErrors.paymentClosed();
  settleAndSave(ctx, account, (r) => ({
    ...r,
    payments: r.payments.map((p) =>
      p.xid === xid
        ? paymentWithdraw(ctx, p.state === EscrowState.open ? { ...p, state: EscrowState.closed } : p)
        : p,
    ),
  }));
}

export function paymentWithdrawById(
  ctx: EscrowContext,
  scope: number,
  accountXid: string,
  xid: string,
): void {
  const account = getEscrowAccount(ctx.state, scope, accountXid);
  const payment = ctx.state.payments.get(paymentKey(scope, accountXid, xid));
  if (!account) throw EscrowErrors.accountNotFound();
  if (!payment) throw EscrowErrors.paymentNotFound();
  if (payment.state !== EscrowState.open) throw EscrowErrors.paymentClosed();
  settleAndSave(ctx, account, (r) =>
    r.overdrawn
      ? r
      : { ...r, payments: r.payments.map((p) => (p.xid === xid ? paymentWithdraw(ctx, p) : p)) },
  );
}

/** EndBlock settlement: every open account with payments is settled each block (the chain settles lazily). */
export function settleAllAccounts(ctx: EscrowContext): void {
  for (const account of [...ctx.state.escrowAccounts.values()]) {
    if (account.state !== EscrowState.open || account.scope !== EscrowScope.deployment) continue;
    const current = getEscrowAccount(ctx.state, account.scope, account.xid)!;
    if (current.state !== EscrowState.open) continue;
    if (accountPayments(ctx.state, current, [EscrowState.open]).length === 0) continue;
    settleAndSave(ctx, current);
  }
}
