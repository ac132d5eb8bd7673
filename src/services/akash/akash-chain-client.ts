import type { EncodeObject } from "@cosmjs/proto-signing";
import { EffectError } from "../../domain/effect-failure.js";
import { abortablePause } from "../abortable-pause.js";
import { encodeMessage, intentKindOf, intentPayloadOf, validateMessage } from "./akash-messages.js";
import type {
  AkashChain,
  ChainMessage,
  CloseDeploymentResult,
  CreateDeploymentRequest,
  SubmitRequest,
  TxRequest,
  TxResult,
} from "./akash-service.js";
import type {
  AuditedProviderInfo,
  Balances,
  BidderRecord,
  BidInfo,
  DeploymentInfo,
  GroupInfo,
  LeaseInfo,
  LeaseKey,
  ProviderInfo,
} from "./akash-types.js";
import type { BlockWatch } from "./block-watch.js";
import { toChainEffectError } from "./chain-failures.js";
import type { ChainQueries } from "./chain-queries.js";
import { escrowRefundOf } from "./escrow-refunds.js";
import { grantFundedBalances } from "./grant-funded-balances.js";
import type { GrantQueries } from "./grant-queries.js";
import { batchHolds, type EffectState, effectOf } from "./message-effects.js";
import type { SigningClient } from "./signing-client.js";
import type { TxExecutor, TxJob } from "./tx-executor.js";

export interface AkashChainClientDeps {
  readonly chainId: string;
  readonly owner: string;
  readonly queries: ChainQueries;
  readonly signer: SigningClient;
  readonly executor: TxExecutor;
  /** New blocks as the node announces them (absent: `nextBlock` is a plain wait). */
  readonly blocks?: BlockWatch;
  /** A child's funding: deposits with sources=[grant] from `parent` (the signer pays fees through its feegrant). */
  readonly grantFunding?: { readonly parent: string; readonly grants: GrantQueries };
}

/** AkashChain for the agent's own account: queries over gRPC, transactions through the crash-safe executor. */
export class AkashChainClient implements AkashChain {
  readonly chainId: string;
  readonly owner: string;
  readonly fundedBy?: string;
  private readonly queries: ChainQueries;

  constructor(private readonly deps: AkashChainClientDeps) {
    this.chainId = deps.chainId;
    this.owner = deps.owner;
    this.queries = deps.queries;
    if (deps.grantFunding) this.fundedBy = deps.grantFunding.parent;
  }

  async height(): Promise<number> {
    try {
      return await this.deps.signer.height();
    } catch (error) {
      throw toChainEffectError(error, "query the block height");
    }
  }

  nextBlock(fallbackMs: number, signal?: AbortSignal): Promise<void> {
    if (this.deps.blocks) return this.deps.blocks.nextBlock(fallbackMs, signal);
    return abortablePause(fallbackMs, signal);
  }

  balances(address: string = this.owner): Promise<Balances> {
    const funding = this.deps.grantFunding;
    if (funding && address === this.owner) return grantFundedBalances(this.owner, funding, this.queries);
    return this.queries.balances(address);
  }

  deployment(dseq: string): Promise<DeploymentInfo | null> {
    return this.queries.deployment(this.owner, dseq);
  }

  activeDeployments(): Promise<DeploymentInfo[]> {
    return this.queries.deployments(this.owner, "active");
  }

  groups(dseq: string): Promise<GroupInfo[]> {
    return this.queries.groups(this.owner, dseq);
  }

  bids(dseq: string): Promise<BidInfo[]> {
    return this.queries.bids(this.owner, dseq);
  }

  leases(dseq: string): Promise<LeaseInfo[]> {
    return this.queries.leases(this.owner, dseq);
  }

  lease(lease: LeaseKey): Promise<LeaseInfo | null> {
    return this.queries.lease(this.owner, lease);
  }

  provider(address: string): Promise<ProviderInfo | null> {
    return this.queries.provider(address);
  }

  auditedProvider(address: string): Promise<AuditedProviderInfo | null> {
    return this.queries.auditedProvider(address);
  }

  registeredProviders(): Promise<BidderRecord[]> {
    return this.queries.registeredProviders();
  }

  aktPriceUsd(): Promise<number> {
    return this.queries.aktPriceUsd();
  }

  createDeployment({ key, ...deployment }: CreateDeploymentRequest): Promise<TxResult> {
    return this.submit({ key, messages: [{ type: "createDeployment", ...deployment }] });
  }

  async closeDeployment({ key, dseq }: TxRequest & { dseq: string }): Promise<CloseDeploymentResult> {
    const result = await this.submit({ key, messages: [{ type: "closeDeployment", dseq }] });
    if (!result.txHash) return { ...result, refundedUact: null };
    // The close is done; if its tx cannot be read now, a retry (same key) finds it done and reads again.
    const hash = result.txHash;
    const tx = await this.chain(`close_deployment ${key}: read tx ${hash}`, () =>
      this.deps.signer.findTx(hash),
    );
    if (!tx) {
      throw new EffectError(
        "retryable",
        `close_deployment ${key}: tx ${hash} is done but not in the node's tx index yet; try again`,
      );
    }
    return { ...result, refundedUact: escrowRefundOf(tx.events, this.owner).toString() };
  }

  createLease({ key, bid }: TxRequest & { bid: LeaseKey }): Promise<TxResult> {
    return this.submit({ key, messages: [{ type: "createLease", bid }] });
  }

  closeLease({ key, lease }: TxRequest & { lease: LeaseKey }): Promise<TxResult> {
    return this.submit({ key, messages: [{ type: "closeLease", lease }] });
  }

  startGroup({ key, dseq, gseq }: TxRequest & { dseq: string; gseq: number }): Promise<TxResult> {
    return this.submit({ key, messages: [{ type: "startGroup", dseq, gseq }] });
  }

  deposit({ key, dseq, amountUact }: TxRequest & { dseq: string; amountUact: string }): Promise<TxResult> {
    return this.submit({ key, messages: [{ type: "deposit", dseq, amountUact }] });
  }

  mintAct({ key, amountUakt }: TxRequest & { amountUakt: string }): Promise<TxResult> {
    return this.submit({ key, messages: [{ type: "mintAct", amountUakt }] });
  }

  async submit({ key, messages }: SubmitRequest): Promise<TxResult> {
    if (!key) throw new EffectError("fatal", "a transaction needs an idempotency key");
    if (messages.length === 0) throw new EffectError("fatal", `transaction ${key} has no messages`);
    const funding = this.deps.grantFunding;
    if (funding && messages.some((m) => m.type === "mintAct")) {
      throw new EffectError(
        "fatal",
        `${intentKindOf(messages)} ${key}: a child is funded by its parent's grant (from ${funding.parent}) and cannot mint ACT; its deposits draw on that grant`,
      );
    }
    for (const message of messages) await validateMessage(message);
    return this.deps.executor.run(this.jobFor(key, messages));
  }

  private jobFor(key: string, messages: readonly ChainMessage[]): TxJob {
    const effects = (): Promise<EffectState[]> =>
      Promise.all(messages.map((m) => effectOf(m, this.owner, this.queries)));
    return {
      key,
      kind: intentKindOf(messages),
      payload: { messages: messages.map(intentPayloadOf) },
      effectHolds: async () => batchHolds(messages, await effects()),
      messages: async (): Promise<EncodeObject[]> => {
        // A close another party already made (a provider closing the lease) drops out of a retry.
        const states = await effects();
        const pending = messages.filter((_, i) => states[i] !== "holds");
        const source = this.deps.grantFunding ? "grant" : "balance";
        return Promise.all(pending.map((m) => encodeMessage(this.owner, m, source)));
      },
    };
  }

  private async chain<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toChainEffectError(error, what);
    }
  }

  async close(): Promise<void> {
    this.deps.blocks?.close();
    this.deps.signer.disconnect();
  }
}
