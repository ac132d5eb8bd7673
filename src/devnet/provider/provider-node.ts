import { MsgCreateCertificate } from "@akashnetwork/chain-sdk/private-types/akash.v1";
import { MsgCreateProvider, MsgUpdateProvider } from "@akashnetwork/chain-sdk/private-types/akash.v1beta4";
import {
  MsgCloseBid,
  MsgCreateBid,
  MsgWithdrawLease,
} from "@akashnetwork/chain-sdk/private-types/akash.v1beta5";
import type { Chain, CommittedBlock } from "../chain/chain.js";
import { bidKey, type LeaseRecord, type OrderRecord } from "../chain/chain-state.js";
import { decToString } from "../chain/decimal.js";
import { decodeGroupSpec, groupPrice } from "../chain/modules/group-spec.js";
import { BidState, LeaseClosedReason, LeaseState, OrderState } from "../chain/modules/market-keeper.js";
import { matchesPlacement, matchesResourceCapabilities } from "../chain/modules/placement-matching.js";
import type { EncodedAny } from "../chain/msg-handler.js";
import type { InProcessSigner } from "../in-process-signer.js";
import { bidPrice, groupDemand } from "./bid-pricing.js";
import type { FailingImages } from "./failing-images.js";
import type { GatewayFault } from "./gateway-faults.js";
import type { ManifestGroup } from "./manifest-services.js";
import type { ProviderCertificate } from "./provider-certificate.js";
import { type ProviderProfile, profileAttributes } from "./provider-profile.js";
import {
  type AgentProcessInfo,
  type AgentRuntimeOptions,
  type LeaseRef,
  LeaseWorkload,
} from "./workload-runner.js";

export type ProviderHealth =
  | { mode: "healthy" }
  | { mode: "slow"; delayMs: number }
  | { mode: "failing" }
  | GatewayFault;

export interface ProviderTimings {
  readonly manifestTimeoutMs: number;
  readonly bidTimeoutMs: number;
  readonly workloadStartDelayMs: number;
  /** Every this many blocks the provider withdraws its earnings from its leases (0 = never). */
  readonly withdrawalBlocks: number;
}

export interface TrackedLease {
  readonly ref: LeaseRef;
  readonly createdAtMs: number;
  manifest?: ManifestGroup;
  workload?: LeaseWorkload;
}

const any = <T>(
  codec: { $type: string; encode(m: T): { finish(): Uint8Array } },
  message: T,
): EncodedAny => ({
  typeUrl: `/${codec.$type}`,
  value: codec.encode(message).finish(),
});

export const leaseRefKey = (l: { owner: string; dseq: bigint; gseq: number; oseq: number }) =>
  `${l.owner}/${l.dseq}/${l.gseq}/${l.oseq}`;

/**
 * A simulated provider: its on-chain identity, bid engine (bids on open orders it can serve, within the
 * order's price), lease tracking (manifest timeout, bid timeout, reclamation deadline) and workloads.
 * The HTTPS gateway in provider-gateway.ts serves its leases.
 */
export class ProviderNode {
  readonly address: string;
  readonly profile: ProviderProfile;
  readonly certificate: ProviderCertificate;
  hostUri = "";
  online = true;
  health: ProviderHealth = { mode: "healthy" };
  readonly leases = new Map<string, TrackedLease>();
  private readonly chain: Chain;
  private readonly signer: InProcessSigner;
  private readonly timings: ProviderTimings;
  private readonly runtime: AgentRuntimeOptions;
  private readonly failingImages: FailingImages | undefined;
  private readonly random: () => number;
  private readonly pendingOrders = new Set<string>();
  private readonly pendingCloses = new Set<string>();
  private readonly bidCreatedAtMs = new Map<string, number>();
  private readonly startedAtMs = Date.now();
  private offlineSinceMs: number | undefined;
  private offlineTotalMs = 0;
  private unsubscribe: (() => void) | undefined;

  constructor(options: {
    address: string;
    profile: ProviderProfile;
    certificate: ProviderCertificate;
    chain: Chain;
    signer: InProcessSigner;
    timings: ProviderTimings;
    runtime: AgentRuntimeOptions;
    random: () => number;
    /** Images whose processes do not run (shared by every provider of the devnet). */
    failingImages?: FailingImages;
  }) {
    this.address = options.address;
    this.profile = options.profile;
    this.certificate = options.certificate;
    this.chain = options.chain;
    this.signer = options.signer;
    this.timings = options.timings;
    this.runtime = options.runtime;
    this.failingImages = options.failingImages;
    this.random = options.random;
  }

  get attributes() {
    return profileAttributes(this.profile);
  }

  /**
   * MsgCreateProvider + MsgCreateCertificate in one tx, as an operator does when bringing a provider up; a
   * provider already on chain (a restarted devnet) sends MsgUpdateProvider for its new host URI instead.
   */
  registrationMessages(existing = false): EncodedAny[] {
    const provider = {
      owner: this.address,
      hostUri: this.hostUri,
      attributes: this.attributes,
      info: { email: `ops@${this.profile.name}.devnet`, website: `https://${this.profile.name}.devnet` },
    };
    return [
      existing
        ? any(MsgUpdateProvider, MsgUpdateProvider.fromPartial(provider))
        : any(MsgCreateProvider, MsgCreateProvider.fromPartial(provider)),
      any(
        MsgCreateCertificate,
        MsgCreateCertificate.fromPartial({
          owner: this.address,
          cert: new TextEncoder().encode(this.certificate.certPem),
          pubkey: new TextEncoder().encode(this.certificate.publicKeyPem),
        }),
      ),
    ];
  }

  attach(): void {
    this.unsubscribe = this.chain.onBlock((block) => this.onBlock(block));
  }

  setOnline(online: boolean): void {
    if (online === this.online) return;
    this.online = online;
    if (!online) this.offlineSinceMs = Date.now();
    else if (this.offlineSinceMs !== undefined) {
      this.offlineTotalMs += Date.now() - this.offlineSinceMs;
      this.offlineSinceMs = undefined;
    }
  }

  /** Fraction of this devnet run the provider has been online. */
  observedOnlineFraction(): number {
    const run = Math.max(1, Date.now() - this.startedAtMs);
    const offline =
      this.offlineTotalMs + (this.offlineSinceMs !== undefined ? Date.now() - this.offlineSinceMs : 0);
    return Math.max(0, 1 - offline / run);
  }

  lastOnlineMs(): number {
    return this.offlineSinceMs ?? Date.now();
  }

  private onBlock(block: CommittedBlock): void {
    if (!this.online) return;
    this.reconcileLeases();
    this.bidOnOpenOrders();
    this.expireOpenBids();
    const every = BigInt(this.timings.withdrawalBlocks);
    if (every > 0n && block.block.height % every === 0n) this.withdrawEarnings();
  }

  /** MsgWithdrawLease for every active lease, in one tx (a provider's periodic withdrawal). */
  private withdrawEarnings(): void {
    const messages = this.myLeases()
      .filter((l) => l.state === LeaseState.active || l.state === LeaseState.reclaiming)
      .map((l) =>
        any(
          MsgWithdrawLease,
          MsgWithdrawLease.fromPartial({
            id: {
              owner: l.owner,
              dseq: l.dseq.toString(),
              gseq: l.gseq,
              oseq: l.oseq,
              provider: this.address,
              bseq: l.bseq,
            },
          }),
        ),
      );
    if (messages.length === 0) return;
    this.signer.broadcast(this.address, messages, "akash: WithdrawLease").catch(() => undefined);
  }

  private myLeases(): LeaseRecord[] {
    return [...this.chain.state.leases.values()].filter((l) => l.provider === this.address);
  }

  private reconcileLeases(): void {
    const live = new Set<string>();
    for (const lease of this.myLeases()) {
      const key = leaseRefKey(lease);
      const alive = lease.state === LeaseState.active || lease.state === LeaseState.reclaiming;
      if (!alive) continue;
      live.add(key);
      if (!this.leases.has(key)) {
        this.leases.set(key, {
          ref: {
            owner: lease.owner,
            dseq: lease.dseq,
            gseq: lease.gseq,
            oseq: lease.oseq,
            provider: this.address,
          },
          createdAtMs: Date.now(),
        });
      }
      const tracked = this.leases.get(key)!;
      if (!tracked.manifest && Date.now() - tracked.createdAtMs >= this.timings.manifestTimeoutMs) {
        this.closeBid(lease, LeaseClosedReason.manifestTimeout).catch(() => undefined);
      }
      if (
        lease.state === LeaseState.reclaiming &&
        lease.reclaimDeadline !== undefined &&
        this.chain.latestBlock.time.getTime() / 1000 >= lease.reclaimDeadline
      ) {
        this.closeBid(lease, LeaseClosedReason.decommission).catch(() => undefined);
      }
    }
    for (const [key, tracked] of this.leases) {
      if (live.has(key)) continue;
      this.leases.delete(key);
      void tracked.workload?.close();
    }
  }

  /** The provider closes its side of a lease (MsgCloseBid with a reason): the lease ends, the group pauses. */
  closeBid(
    lease: { owner: string; dseq: bigint; gseq: number; oseq: number },
    reason: number,
  ): Promise<void> {
    const key = leaseRefKey(lease);
    if (this.pendingCloses.has(key)) return Promise.resolve();
    this.pendingCloses.add(key);
    const message = any(
      MsgCloseBid,
      MsgCloseBid.fromPartial({
        id: {
          owner: lease.owner,
          dseq: lease.dseq.toString(),
          gseq: lease.gseq,
          oseq: lease.oseq,
          provider: this.address,
          bseq: 0,
        },
        reason,
      }),
    );
    return this.signer
      .broadcastAndWait(this.address, [message], "akash: CloseBid")
      .then(() => undefined)
      .finally(() => this.pendingCloses.delete(key));
  }

  private canServe(order: OrderRecord): { price: string } | undefined {
    const spec = decodeGroupSpec(order.spec);
    const audits = [...this.chain.state.audits.values()].filter((a) => a.owner === this.address);
    if (!matchesPlacement(spec, this.attributes, audits)) return undefined;
    if (!matchesResourceCapabilities(spec, this.attributes)) return undefined;
    const demand = groupDemand(spec);
    const used = this.usedCapacity();
    const { capacity } = this.profile;
    if (
      used.cpuMilli + demand.cpuMilli > capacity.cpuMilli ||
      used.memoryBytes + demand.memoryBytes > capacity.memoryBytes ||
      used.storageBytes + demand.storageBytes > capacity.storageBytes
    ) {
      return undefined;
    }
    const max = groupPrice(spec);
    if (max.denom !== "uact") return undefined;
    const ask = bidPrice(spec, this.profile);
    if (ask > max.amount) return undefined;
    return { price: decToString(ask) };
  }

  private usedCapacity() {
    const used = { cpuMilli: 0, memoryBytes: 0, storageBytes: 0 };
    for (const lease of this.myLeases()) {
      if (lease.state !== LeaseState.active && lease.state !== LeaseState.reclaiming) continue;
      const order = this.chain.state.orders.get(leaseRefKey(lease));
      if (!order) continue;
      const demand = groupDemand(decodeGroupSpec(order.spec));
      used.cpuMilli += demand.cpuMilli;
      used.memoryBytes += demand.memoryBytes;
      used.storageBytes += demand.storageBytes;
    }
    return used;
  }

  private bidOnOpenOrders(): void {
    const { state } = this.chain;
    for (const order of state.orders.values()) {
      if (order.state !== OrderState.open || order.owner === this.address) continue;
      const key = leaseRefKey(order);
      if (this.pendingOrders.has(key)) continue;
      if (state.bids.has(bidKey(order.owner, order.dseq, order.gseq, order.oseq, this.address, 0))) continue;
      const offer = this.canServe(order);
      if (!offer) {
        this.pendingOrders.add(key);
        continue;
      }
      this.pendingOrders.add(key);
      const spec = decodeGroupSpec(order.spec);
      const message = any(
        MsgCreateBid,
        MsgCreateBid.fromPartial({
          id: {
            owner: order.owner,
            dseq: order.dseq.toString(),
            gseq: order.gseq,
            oseq: order.oseq,
            provider: this.address,
            bseq: 0,
          },
          price: { denom: "uact", amount: offer.price },
          deposit: { amount: { denom: "uakt", amount: "500000" }, sources: [1] },
          resourcesOffer: spec.resources.map((unit) => ({ resources: unit.resource, count: unit.count })),
        }),
      );
      this.bidCreatedAtMs.set(key, Date.now());
      this.signer.broadcast(this.address, [message], "akash: CreateBid").catch(() => {
        // A rejected bid (order closed meanwhile, too many bids) is not retried for this order.
      });
    }
  }

  private expireOpenBids(): void {
    for (const bid of this.chain.state.bids.values()) {
      if (bid.provider !== this.address || bid.state !== BidState.open) continue;
      const created = this.bidCreatedAtMs.get(leaseRefKey(bid)) ?? Date.now();
      if (Date.now() - created < this.timings.bidTimeoutMs) continue;
      this.bidCreatedAtMs.set(leaseRefKey(bid), Number.POSITIVE_INFINITY);
      void this.closeBid(bid, LeaseClosedReason.unspecified).catch(() => undefined);
    }
  }

  /** Whether a new lease's deployment fails on this provider (the reliability profile's roll). */
  rollDeploymentFailure(): boolean {
    return this.random() < this.profile.failDeploymentChance;
  }

  /** The ingress names of the workloads it runs now (leases without a manifest have none). */
  ingressHostnames(): string[] {
    return [...this.leases.values()].flatMap((l) => l.workload?.ingressHostnames() ?? []);
  }

  /** The agent processes its leases run. */
  agentProcesses(): AgentProcessInfo[] {
    return [...this.leases.values()].flatMap((l) => l.workload?.agentProcesses() ?? []);
  }

  async acceptManifest(tracked: TrackedLease, group: ManifestGroup, providerHost: string): Promise<void> {
    const previous = tracked.workload;
    tracked.manifest = group;
    tracked.workload = await LeaseWorkload.create(tracked.ref, group.services, {
      runtime: this.runtime,
      startDelayMs: this.timings.workloadStartDelayMs,
      failing: this.rollDeploymentFailure(),
      providerHost,
      ingressHost: `${this.profile.name}.devnet.localhost`,
      ...(this.failingImages ? { failingImages: this.failingImages } : {}),
    });
    await previous?.stop();
  }

  /**
   * The provider went down: the processes of its leases die with it (their volumes stay, and the leases
   * stay on chain until someone closes them; while offline it withdraws nothing).
   */
  async stopWorkloads(): Promise<void> {
    await Promise.all([...this.leases.values()].map((l) => l.workload?.stop()));
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all([...this.leases.values()].map((l) => l.workload?.stop()));
    this.leases.clear();
  }
}
