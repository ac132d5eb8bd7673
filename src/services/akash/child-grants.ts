import type { EncodeObject } from "@cosmjs/proto-signing";
import { EffectError } from "../../domain/effect-failure.js";
import type { TxResult } from "./akash-service.js";
import { readChildGrants } from "./child-grants-reader.js";
import {
  depositGrantMessage,
  feeAllowanceMessages,
  revokeDepositGrantMessage,
  revokeFeeAllowanceMessage,
  wholeSecondsOf,
} from "./grant-messages.js";
import type { GrantQueries } from "./grant-queries.js";
import type { TxExecutor } from "./tx-executor.js";

export interface GrantChildBudgetRequest {
  /** Idempotency key: a re-run with it after a crash sends nothing twice. */
  key: string;
  /** The child's akash1… address (the grantee). */
  child: string;
  /** The DepositAuthorization's spend limit, uact. */
  limitUact: string;
  /** The BasicAllowance's spend limit for the child's fees, uakt. */
  feeLimitUakt: string;
  /** When both grants expire, ms since the epoch (kept to whole seconds). */
  expiresAt: number;
}

/** What a child may still spend of its parent's grants, read from the chain. */
export interface ChildGrantsState {
  deposit: { remainingUact: string; expiresAt: number | null } | null;
  fee: { remainingUakt: string | null; expiresAt: number | null } | null;
}

/** The parent's side of a child's budget: the grants it gives, takes back and reads. */
export interface ChildGrants {
  /** The parent's address, the granter. */
  readonly granter: string;
  /**
   * One tx: MsgGrant(DepositAuthorization) + MsgGrantAllowance(BasicAllowance), a MsgRevokeAllowance
   * first when an allowance exists. A grant already on chain that lasts at least until `expiresAt` is
   * kept (re-granting would reset what the child has spent); when both are, nothing is sent.
   * Renewing before expiry (a new key, a later `expiresAt`) replaces both: pass as `limitUact` what
   * the child may spend from then on (e.g. the remainder `childGrants` reads), not the first budget.
   * An expired fee allowance leaves the child unable to pay any fee, even to close its deployment.
   */
  grantChildBudget(request: GrantChildBudgetRequest): Promise<TxResult>;
  /** MsgRevoke + MsgRevokeAllowance, each only if its grant is there; nothing when neither is. */
  revokeChildGrants(request: { key: string; child: string }): Promise<TxResult>;
  childGrants(child: string): Promise<ChildGrantsState>;
}

export interface ChildGrantsClientDeps {
  readonly granter: string;
  readonly grants: GrantQueries;
  /** The parent's executor (one per account: its txs are sent one at a time). */
  readonly executor: TxExecutor;
  readonly now: () => number;
}

const AKASH_ADDRESS = /^akash1[02-9ac-hj-np-z]{38,58}$/;
const AMOUNT = /^[1-9]\d*$/;

/** Whether a grant lasts at least until `expiresAt` (to the second; no expiry lasts forever). */
const lastsUntil = (state: { expiresAt: number | null } | null, expiresAt: number): boolean =>
  state !== null &&
  (state.expiresAt === null || wholeSecondsOf(state.expiresAt) >= wholeSecondsOf(expiresAt));

/** ChildGrants through the parent's crash-safe TxExecutor. */
export class ChildGrantsClient implements ChildGrants {
  readonly granter: string;

  constructor(private readonly deps: ChildGrantsClientDeps) {
    this.granter = deps.granter;
  }

  async grantChildBudget(request: GrantChildBudgetRequest): Promise<TxResult> {
    const { key, child, limitUact, feeLimitUakt, expiresAt } = request;
    this.requireKeyAndChild(key, child);
    if (!AMOUNT.test(limitUact)) {
      throw new EffectError("fatal", `limitUact must be a positive whole number of uact, got "${limitUact}"`);
    }
    if (!AMOUNT.test(feeLimitUakt)) {
      throw new EffectError(
        "fatal",
        `feeLimitUakt must be a positive whole number of uakt, got "${feeLimitUakt}"`,
      );
    }
    if (!Number.isSafeInteger(expiresAt) || expiresAt <= this.deps.now()) {
      throw new EffectError(
        "fatal",
        `expiresAt must be a time in the future (ms since the epoch), got ${expiresAt}: the chain refuses a grant that has already expired`,
      );
    }
    const { granter } = this;
    const read = () => this.read(child);
    return this.deps.executor.run({
      key,
      kind: "child_grant",
      payload: { child, limitUact, feeLimitUakt, expiresAt },
      effectHolds: async () => {
        const { deposit, fee } = await read();
        return lastsUntil(deposit, expiresAt) && lastsUntil(fee, expiresAt);
      },
      messages: async () => {
        const { deposit, fee } = await read();
        const messages: EncodeObject[] = [];
        if (!lastsUntil(deposit, expiresAt)) {
          messages.push(depositGrantMessage({ granter, grantee: child, limitUact, expiresAt }));
        }
        if (!lastsUntil(fee, expiresAt)) {
          messages.push(
            ...feeAllowanceMessages({
              granter,
              grantee: child,
              limitUakt: feeLimitUakt,
              expiresAt,
              replacing: fee !== null,
            }),
          );
        }
        return messages;
      },
    });
  }

  async revokeChildGrants({ key, child }: { key: string; child: string }): Promise<TxResult> {
    this.requireKeyAndChild(key, child);
    const { granter } = this;
    return this.deps.executor.run({
      key,
      kind: "child_revoke",
      payload: { child },
      effectHolds: async () => {
        const { deposit, fee } = await this.read(child);
        return deposit === null && fee === null;
      },
      messages: async () => {
        const { deposit, fee } = await this.read(child);
        return [
          ...(deposit ? [revokeDepositGrantMessage({ granter, grantee: child })] : []),
          ...(fee ? [revokeFeeAllowanceMessage({ granter, grantee: child })] : []),
        ];
      },
    });
  }

  childGrants(child: string): Promise<ChildGrantsState> {
    return this.read(child);
  }

  private read(child: string): Promise<ChildGrantsState> {
    return readChildGrants(this.deps.grants, this.granter, child);
  }

  private requireKeyAndChild(key: string, child: string): void {
    if (!key) throw new EffectError("fatal", "a grant transaction needs an idempotency key");
    if (!AKASH_ADDRESS.test(child)) {
      throw new EffectError("fatal", `child must be the child's akash1… address, got "${child}"`);
    }
    if (child === this.granter) {
      throw new EffectError(
        "fatal",
        `child ${child} is the parent's own address: a grant needs another account`,
      );
    }
  }
}
