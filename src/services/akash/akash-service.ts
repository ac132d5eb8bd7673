import type {
  AuditedProviderInfo,
  Balances,
  BidderRecord,
  BidInfo,
  ConsoleProvider,
  DeploymentInfo,
  GroupInfo,
  LeaseInfo,
  LeaseKey,
  LeaseStatus,
  ProviderInfo,
  TxOutcome,
} from "./akash-types.js";

/**
 * Every transaction takes an idempotency `key`. The implementation records the intent (and the
 * signed tx bytes and hash) in the store before it broadcasts; called again with the same key after
 * a crash, it first looks on chain for the effect (the tx by hash, or the state the message creates)
 * and only then, if nothing happened, broadcasts again — never a second deposit, lease or deployment.
 * A call whose effect is already on chain resolves with `{ alreadyDone: true }`.
 */
export interface TxRequest {
  key: string;
}

export type TxResult = (TxOutcome & { alreadyDone: false }) | { alreadyDone: true; txHash: string | null };

/**
 * A deployment close. `refundedUact` is what the escrow gave back to the owner in the close tx (read
 * from its bank transfer events; "0" when nothing was left), or null when no tx of this call's key
 * closed it (another party did, or the escrow ran dry and the chain closed it).
 */
export type CloseDeploymentResult = TxResult & { refundedUact: string | null };

export interface CreateDeploymentRequest extends TxRequest {
  dseq: string;
  /** The SDL with its secrets injected: groups and the manifest version are computed from it. */
  sdlYaml: string;
  /** Hex; must equal the manifest version computed from `sdlYaml` (a check against drift after a restart). */
  manifestVersion: string;
  depositUact: string;
}

/**
 * One message of a transaction built with {@link AkashChain.submit}. Each single-message method of
 * AkashChain is `submit` with one of these.
 */
export type ChainMessage =
  | ({ type: "createDeployment" } & Omit<CreateDeploymentRequest, "key">)
  | { type: "closeDeployment"; dseq: string }
  | { type: "createLease"; bid: LeaseKey }
  | { type: "closeLease"; lease: LeaseKey }
  /**
   * Starts a paused group again (MsgStartGroup): the group is open and the chain opens a new order for
   * it (the next oseq). A provider closing its lease pauses the group; this is how its owner rebids.
   */
  | { type: "startGroup"; dseq: string; gseq: number }
  | { type: "deposit"; dseq: string; amountUact: string }
  | { type: "mintAct"; amountUakt: string }
  /** Burns the owner's ACT back to AKT (a BME refund); the AKT arrives when the epoch settles. */
  | { type: "burnAct"; amountUact: string }
  /** A bank transfer of AKT to another account (ACT is not transferable). */
  | { type: "send"; toAddress: string; amountUakt: string };

/**
 * Several messages in one transaction (one block, one fee) under one idempotency key: the chain
 * applies all of them or none. E.g. `mintAct` + `createDeployment`, `deposit` + `mintAct` (top up
 * and refill ACT), or after a migration `closeDeployment` (old) + `deposit` (new). Idempotent as a
 * whole: once a creation in it (deployment, lease) is on chain, or every message's effect is, the
 * transaction counts as done; a close another party already made is dropped from a retry.
 */
export interface SubmitRequest extends TxRequest {
  messages: ChainMessage[];
}

/** The Akash chain, as the agent's own account (the owner) sees it. Queries over gRPC, txs through cosmjs. */
export interface AkashChain {
  readonly chainId: string;
  /** The agent's `akash1…` address: owner of its deployments, signer of its txs. */
  readonly owner: string;
  /**
   * Set on a child: its parent's address. Deposits draw on the parent's authz grant, fees go through
   * the parent's feegrant, `balances()` reports what the grants let it spend, and it cannot mint ACT.
   */
  readonly fundedBy?: string;

  height(): Promise<number>;
  /**
   * Resolves at the next block the node announces, or after `fallbackMs` (a fast poll) when none is
   * announced sooner or the announcements are unavailable. Absent: callers wait `fallbackMs`.
   */
  nextBlock?(fallbackMs: number, signal?: AbortSignal): Promise<void>;
  balances(address?: string): Promise<Balances>;

  deployment(dseq: string): Promise<DeploymentInfo | null>;
  /** Every deployment of the owner that is still active (to find orphans). */
  activeDeployments(): Promise<DeploymentInfo[]>;
  /** The deployment's groups with their states (none when the deployment is not on chain). */
  groups(dseq: string): Promise<GroupInfo[]>;
  bids(dseq: string): Promise<BidInfo[]>;
  leases(dseq: string): Promise<LeaseInfo[]>;
  lease(lease: LeaseKey): Promise<LeaseInfo | null>;
  provider(address: string): Promise<ProviderInfo | null>;
  /** The provider with the auditors that signed each attribute, from the chain's audit module. */
  auditedProvider(address: string): Promise<AuditedProviderInfo | null>;
  /**
   * Every provider registered on chain with its attributes and each auditor's signed attributes: with
   * a group's requirements, who the chain would accept a bid from (`couldBid`).
   */
  registeredProviders(): Promise<BidderRecord[]>;
  /** AKT price in USD from the chain's oracle (what MsgMintACT converts at). */
  aktPriceUsd(): Promise<number>;

  createDeployment(request: CreateDeploymentRequest): Promise<TxResult>;
  closeDeployment(request: TxRequest & { dseq: string }): Promise<CloseDeploymentResult>;
  createLease(request: TxRequest & { bid: LeaseKey }): Promise<TxResult>;
  closeLease(request: TxRequest & { lease: LeaseKey }): Promise<TxResult>;
  /** Starts a paused group of the owner's deployment again (see the `startGroup` message). */
  startGroup(request: TxRequest & { dseq: string; gseq: number }): Promise<TxResult>;
  deposit(request: TxRequest & { dseq: string; amountUact: string }): Promise<TxResult>;
  /** Burns AKT to mint ACT for the owner; the ACT arrives when the BME epoch settles. */
  mintAct(request: TxRequest & { amountUakt: string }): Promise<TxResult>;
  /** Any of the messages above together in one transaction (see {@link SubmitRequest}). */
  submit(request: SubmitRequest): Promise<TxResult>;

  close(): Promise<void>;
}

/** A provider's gateway, reached over HTTPS pinned to its on-chain certificate, with AEP-64 JWTs. */
export interface ProviderGateway {
  sendManifest(request: { lease: LeaseKey; hostUri: string; manifestJson: string }): Promise<void>;
  /** Null when the provider answers 404 (it holds no such lease for us). */
  leaseStatus(request: { lease: LeaseKey; hostUri: string }): Promise<LeaseStatus | null>;
  /**
   * Whether the provider's `/status` answers, and how fast; `certificateExpired` when its on-chain
   * certificate (the gateway's pin) has expired.
   */
  probe(request: {
    provider: string;
    hostUri: string;
    timeoutMs: number;
  }): Promise<{ ok: boolean; latencyMs: number; certificateExpired?: boolean }>;
}

/** Provider uptime and audit data in the Console API's shape. */
export interface ProviderDirectory {
  providers(addresses: string[]): Promise<ConsoleProvider[]>;
  /** Every provider the directory lists (the market a child is placed in); absent: not offered. */
  allProviders?(): Promise<ConsoleProvider[]>;
}
