import { EffectError } from "../domain/index.js";
import type { HealthReport, HealthTarget, LeaseId } from "../machines/index.js";
import { leaseKey } from "../machines/lease/lease.types.js";
import {
  bidsForOrder,
  hasFailedNode,
  isDegraded,
  isReachable,
  type Market,
  type MarketBid,
  type SimProvider,
} from "./market-model.js";
import { SeededRandom } from "./seeded-random.js";
import type { SimulationClock } from "./simulation-clock.js";

type LeaseState = "active" | "reclaiming" | "closed" | "insufficient_funds";

interface WorldDeployment {
  dseq: string;
  open: boolean;
  escrowUact: number;
  /** Escrow is settled up to here. */
  settledAt: number;
  maxPriceUact: number;
  round: { openedAt: number; bids: MarketBid[] } | null;
  /** The deployment's one lease at a time (one group, one order). */
  leaseKey: string | null;
}

interface WorldLease {
  key: string;
  id: LeaseId;
  provider: SimProvider;
  pricePerBlock: number;
  openedAt: number;
  closedAt: number | null;
  state: LeaseState;
  reclaimDeadline: number | null;
  /** When its services answer (after the manifest), null before the manifest or when they cannot start. */
  readyAt: number | null;
  /** Its workload died with a node and will not come back on this lease. */
  lostAt: number | null;
  /** The provider let this lease down (counts against it in our own history). */
  fault: boolean;
}

/** Who pays the escrow: told of every deposit and refund (the endurance run keeps each agent's spend cap). */
export interface EscrowLedger {
  deposited(dseq: string, amountUact: number): void;
  refunded(dseq: string, amountUact: number): void;
}

export interface MarketWorldOptions {
  /** The first dseq this world allocates (worlds sharing one chain allocate from disjoint ranges). */
  firstDseq?: number;
  ledger?: EscrowLedger;
}

export interface ProviderRecord {
  leases: number;
  successes: number;
  failures: number;
}

/** What one strategy's run measured. */
export interface WorldTotals {
  upMs: number;
  downMs: number;
  /** Periods without service after the first time the service was up. */
  incidents: number;
  /** Every time the service came up on a new lease after the first one. */
  moves: number;
  /** uact paid to providers (every block of every lease, including dark and overlapping ones). */
  costUact: number;
  alerts: number;
}

/**
 * The simulated outside world one strategy's agent lives in: the chain (deployments, orders, leases,
 * escrow), the providers (their gateways and workloads, driven by the market's timeline) and the
 * treasury (which always has the funds: the simulator studies the provider market, not the wallet).
 * Every strategy gets its own world over the same market, so the providers behave the same for all.
 */
export class MarketWorld {
  private readonly deployments = new Map<string, WorldDeployment>();
  private readonly leases = new Map<string, WorldLease>();
  private readonly history = new Map<string, ProviderRecord>();
  private readonly readyLeases = new Set<string>();
  private readonly providers: Map<string, SimProvider>;
  private nextDseq: number;
  private readonly ledger: EscrowLedger | null;
  private everUp = false;
  private wasUp = false;
  private readonly blockMs: number;
  readonly totals: WorldTotals = { upMs: 0, downMs: 0, incidents: 0, moves: 0, costUact: 0, alerts: 0 };

  constructor(
    readonly market: Market,
    private readonly clock: SimulationClock,
    options: MarketWorldOptions = {},
  ) {
    this.nextDseq = options.firstDseq ?? 1000;
    this.ledger = options.ledger ?? null;
    this.providers = new Map(market.providers.map((provider) => [provider.address, provider]));
    this.blockMs = market.params.blockSeconds * 1000;
    this.scheduleMarketEvents();
  }

  now(): number {
    return this.clock.now();
  }

  provider(address: string): SimProvider {
    const provider = this.providers.get(address);
    if (!provider) throw new EffectError("fatal", `no provider ${address} in the simulated market`);
    return provider;
  }

  providerRecord(address: string): ProviderRecord | null {
    return this.history.get(address) ?? null;
  }

  allocateDseq(): string {
    return String(this.nextDseq++);
  }

  // ── chain ──────────────────────────────────────────────────────────────────────────────────────

  createDeployment(dseq: string, depositUact: number, maxPriceUact: number, keepDseqs: string[]): void {
    for (const deployment of this.deployments.values()) {
      if (deployment.open && deployment.dseq !== dseq && !keepDseqs.includes(deployment.dseq)) {
        this.closeDeployment(deployment.dseq);
      }
    }
    if (this.deployments.has(dseq)) return;
    this.ledger?.deposited(dseq, depositUact);
    this.deployments.set(dseq, {
      dseq,
      open: true,
      escrowUact: depositUact,
      settledAt: this.now(),
      maxPriceUact,
      round: null,
      leaseKey: null,
    });
  }

  /** The order's bids: a new round when the order has none open (the last one timed out or was used). */
  bidRound(dseq: string): { openedAt: number; bids: MarketBid[] } {
    const deployment = this.openDeployment(dseq);
    const now = this.now();
    const round = deployment.round;
    if (round === null || now - round.openedAt > this.market.params.bidTimeoutMs) {
      deployment.round = { openedAt: now, bids: bidsForOrder(this.market, now, deployment.maxPriceUact) };
    }
    return deployment.round as { openedAt: number; bids: MarketBid[] };
  }

  createLease(id: LeaseId, priceUact: string): void {
    const key = leaseKey(id);
    if (this.leases.has(key)) return;
    const deployment = this.openDeployment(id.dseq);
    const round = deployment.round;
    const now = this.now();
    const bid = round?.bids.find((entry) => entry.provider === id.provider && entry.at <= now);
    if (!round || !bid || now - round.openedAt > this.market.params.bidTimeoutMs) {
      throw new EffectError("bid_gone", `the bid of ${id.provider} on ${id.dseq} is closed`);
    }
    if (deployment.leaseKey !== null) {
      throw new EffectError("bid_gone", `the order of ${id.dseq} is already leased`);
    }
    this.settle(deployment);
    deployment.round = null;
    deployment.leaseKey = key;
    this.leases.set(key, {
      key,
      id: { ...id },
      provider: this.provider(id.provider),
      pricePerBlock: Number(priceUact),
      openedAt: now,
      closedAt: null,
      state: "active",
      reclaimDeadline: null,
      readyAt: null,
      lostAt: null,
      fault: false,
    });
    const record = this.recordOf(id.provider);
    record.leases++;
    this.scheduleEscrowCheck(deployment);
  }

  confirmLease(id: LeaseId): { hostUri: string } {
    const lease = this.openLease(id);
    return { hostUri: `https://${lease.provider.address}.provider.sim:8443` };
  }

  /** The provider runs the manifest: the services answer after their start time, unless the node is down. */
  sendManifest(id: LeaseId): void {
    const lease = this.openLease(id);
    const now = this.now();
    if (!isReachable(lease.provider, now)) {
      throw new EffectError("retryable", `${lease.provider.address} did not answer`);
    }
    if (lease.lostAt !== null || hasFailedNode(lease.provider, now)) {
      lease.readyAt = null;
      return;
    }
    const [min, max] = this.market.params.serviceStartSeconds;
    const start = SeededRandom.stream(this.market.seed, "start", lease.key, now).between(min, max);
    lease.readyAt = now + Math.round(start * 1000);
  }

  /** When the lease's services will answer, or null if they will not. */
  servicesReadyAt(id: LeaseId): number | null {
    const lease = this.leases.get(leaseKey(id));
    return lease?.readyAt ?? null;
  }

  /** The services are up now (checked when the wait for them ends). */
  servicesUp(id: LeaseId): boolean {
    const lease = this.leases.get(leaseKey(id));
    return lease !== undefined && this.workloadUp(lease, this.now());
  }

  noteServing(id: LeaseId): void {
    const key = leaseKey(id);
    if (this.readyLeases.has(key)) return;
    if (this.readyLeases.size > 0) this.totals.moves++;
    this.readyLeases.add(key);
  }

  /** What the agent's migration planner sees: is the lease gone or its provider silent (then rebid), or not. */
  leaseGoneOrSilent(id: LeaseId): boolean {
    const lease = this.leases.get(leaseKey(id));
    if (!lease || lease.state === "closed" || lease.state === "insufficient_funds") return true;
    return !isReachable(lease.provider, this.now()) && lease.state !== "reclaiming";
  }

  /** The agent leaves the provider because of a fault of the provider's (kept in its history). */
  blameProvider(id: LeaseId): void {
    const lease = this.leases.get(leaseKey(id));
    if (lease) lease.fault = true;
  }

  closeLease(id: LeaseId): void {
    const lease = this.leases.get(leaseKey(id));
    if (!lease || lease.closedAt !== null) return;
    this.endLease(lease, "closed");
  }

  closeDeployment(dseq: string): void {
    const deployment = this.deployments.get(dseq);
    if (!deployment?.open) return;
    const lease = deployment.leaseKey ? this.leases.get(deployment.leaseKey) : undefined;
    if (lease && lease.closedAt === null) this.endLease(lease, "closed");
    this.settle(deployment);
    deployment.open = false;
    // The rest of the escrow is refunded: not a cost.
    this.ledger?.refunded(dseq, Math.max(0, deployment.escrowUact));
    deployment.escrowUact = 0;
  }

  deposit(dseq: string, amountUact: number): void {
    const deployment = this.deployments.get(dseq);
    if (!deployment?.open) return;
    this.settle(deployment);
    this.ledger?.deposited(dseq, amountUact);
    deployment.escrowUact += amountUact;
    this.scheduleEscrowCheck(deployment);
  }

  /** The dseqs of the deployments open on chain now. */
  openDseqs(): string[] {
    return [...this.deployments.values()].filter((deployment) => deployment.open).map((d) => d.dseq);
  }

  /** The lease the agent serves from at `at` (the newest one whose workload answers), or null. */
  servingLease(at: number): { key: string; dseq: string; provider: string } | null {
    let found: WorldLease | null = null;
    for (const lease of this.leases.values()) {
      if (lease.closedAt === null && this.workloadUp(lease, at)) found = lease;
    }
    return found ? { key: found.key, dseq: found.id.dseq, provider: found.provider.address } : null;
  }

  /** The provider of the open lease of `dseq`, if any (its troubles are the agent's). */
  providerOf(dseq: string): string | null {
    const key = this.deployments.get(dseq)?.leaseKey;
    const lease = key ? this.leases.get(key) : undefined;
    return lease && lease.closedAt === null ? lease.provider.address : null;
  }

  noteAlert(): void {
    this.totals.alerts++;
  }

  // ── health ─────────────────────────────────────────────────────────────────────────────────────

  healthReport(target: HealthTarget): HealthReport {
    const now = this.now();
    const lease = this.leases.get(leaseKey(target));
    const provider = this.provider(target.provider);
    const reachable = isReachable(provider, now);
    const deployment = this.deployments.get(target.dseq);
    let runwayHours: number | null = null;
    if (deployment?.open && lease && lease.closedAt === null) {
      this.settle(deployment);
      const perHour = lease.pricePerBlock * (3_600_000 / this.blockMs);
      runwayHours = deployment.escrowUact / perHour;
    }
    const state = lease?.state ?? "closed";
    return {
      at: now,
      provider: { reachable, responsive: reachable && !isDegraded(provider, now) },
      lease: {
        state,
        reclaimDeadline: lease?.reclaimDeadline ?? null,
        deploymentOpen: deployment?.open ?? false,
      },
      services: { ready: lease && this.workloadUp(lease, now) ? 1 : 0, total: 1 },
      usage: null,
      escrowRunwayHours: runwayHours,
      walletRunwayDays: null,
    };
  }

  /**
   * When a health check of `target` stops passing on its own, if one now passes: the escrow runway
   * falls under `lowRunwayHours` then (every other change is an event on the clock). Null when a check
   * now would not pass.
   */
  passingUntil(target: HealthTarget, lowRunwayHours: number): number | null {
    const report = this.healthReport(target);
    const passes =
      report.provider.reachable &&
      report.provider.responsive &&
      report.lease.state === "active" &&
      report.services.ready >= report.services.total &&
      (report.escrowRunwayHours === null || report.escrowRunwayHours >= lowRunwayHours);
    if (!passes) return null;
    if (report.escrowRunwayHours === null) return Number.POSITIVE_INFINITY;
    return report.at + Math.floor((report.escrowRunwayHours - lowRunwayHours) * 3_600_000);
  }

  // ── accounting ─────────────────────────────────────────────────────────────────────────────────

  /** Whether any lease of the agent serves its users at `at`. */
  isServing(at: number): boolean {
    for (const lease of this.leases.values()) {
      if (lease.closedAt === null && this.workloadUp(lease, at)) return true;
    }
    return false;
  }

  /** Counts the span [from, to) as up or down, with the world as it is now. */
  account(from: number, to: number): void {
    const up = this.isServing(from);
    if (up && !this.wasUp && this.everUp) this.totals.incidents++;
    if (up) this.everUp = true;
    this.wasUp = up;
    if (to <= from) return;
    if (up) this.totals.upMs += to - from;
    else this.totals.downMs += to - from;
  }

  /** Closes the books at the end of the run: what the leases still open have cost so far. */
  finish(): WorldTotals {
    const now = this.now();
    let cost = 0;
    for (const lease of this.leases.values()) {
      const end = lease.closedAt ?? now;
      cost += (lease.pricePerBlock * (end - lease.openedAt)) / this.blockMs;
    }
    this.totals.costUact = cost;
    return { ...this.totals };
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────────────

  private recordOf(address: string): ProviderRecord {
    let record = this.history.get(address);
    if (!record) {
      record = { leases: 0, successes: 0, failures: 0 };
      this.history.set(address, record);
    }
    return record;
  }

  private workloadUp(lease: WorldLease, at: number): boolean {
    return (
      (lease.state === "active" || lease.state === "reclaiming") &&
      lease.readyAt !== null &&
      lease.readyAt <= at &&
      lease.lostAt === null &&
      isReachable(lease.provider, at)
    );
  }

  private openDeployment(dseq: string): WorldDeployment {
    const deployment = this.deployments.get(dseq);
    if (!deployment?.open) throw new EffectError("fatal", `deployment ${dseq} is not open`);
    return deployment;
  }

  private openLease(id: LeaseId): WorldLease {
    const lease = this.leases.get(leaseKey(id));
    if (!lease || lease.closedAt !== null) {
      throw new EffectError("provider", `lease ${leaseKey(id)} is not open`);
    }
    return lease;
  }

  private endLease(lease: WorldLease, state: "closed" | "insufficient_funds"): void {
    const deployment = this.deployments.get(lease.id.dseq);
    if (deployment) {
      this.settle(deployment);
      if (deployment.leaseKey === lease.key) deployment.leaseKey = null;
    }
    lease.state = state;
    lease.closedAt = this.now();
    const record = this.recordOf(lease.provider.address);
    if (lease.fault) record.failures++;
    else record.successes++;
  }

  /** Charges the escrow for the blocks since it was last settled (lazily, as the chain does). */
  private settle(deployment: WorldDeployment): void {
    const now = this.now();
    const lease = deployment.leaseKey ? this.leases.get(deployment.leaseKey) : undefined;
    if (lease && lease.closedAt === null && deployment.open) {
      deployment.escrowUact -= (lease.pricePerBlock * (now - deployment.settledAt)) / this.blockMs;
    }
    deployment.settledAt = now;
  }

  /** When the escrow will run dry at the current price, the lease closes and so does the deployment. */
  private scheduleEscrowCheck(deployment: WorldDeployment): void {
    const lease = deployment.leaseKey ? this.leases.get(deployment.leaseKey) : undefined;
    if (!lease || lease.pricePerBlock <= 0) return;
    const dryAt = this.now() + Math.ceil((deployment.escrowUact / lease.pricePerBlock) * this.blockMs);
    this.clock.schedule(dryAt, () => {
      if (!deployment.open) return;
      this.settle(deployment);
      if (deployment.escrowUact > 1e-6) return;
      const current = deployment.leaseKey ? this.leases.get(deployment.leaseKey) : undefined;
      if (current) this.endLease(current, "insufficient_funds");
      deployment.open = false;
    });
  }

  /** The market's own events: node failures and reclaims act on the leases there; the rest only mark time. */
  private scheduleMarketEvents(): void {
    const tick = () => {};
    for (const provider of this.market.providers) {
      for (const spell of [...provider.outages, ...provider.degraded]) {
        if (spell.end > 0) {
          this.clock.schedule(spell.start, tick);
          this.clock.schedule(spell.end, tick);
        }
      }
      if (provider.darkAt !== null) this.clock.schedule(provider.darkAt, tick);
      for (const failure of provider.nodeFailures) {
        this.clock.schedule(failure.at, () => this.failNode(provider, failure.closeAfterMs));
      }
      for (const reclaim of provider.reclaims) {
        this.clock.schedule(reclaim.at, () => this.reclaim(provider, reclaim.windowMs));
      }
    }
  }

  private leasesOn(provider: SimProvider): WorldLease[] {
    return [...this.leases.values()].filter(
      (lease) => lease.provider === provider && lease.closedAt === null,
    );
  }

  private failNode(provider: SimProvider, closeAfterMs: number): void {
    const now = this.now();
    for (const lease of this.leasesOn(provider)) {
      lease.lostAt = now;
      lease.fault = true;
      // The provider's monitor gives up on the workload and closes the lease (reason `unstable`).
      this.clock.schedule(now + closeAfterMs, () => {
        if (lease.closedAt === null) this.endLease(lease, "closed");
      });
    }
  }

  private reclaim(provider: SimProvider, windowMs: number): void {
    const now = this.now();
    for (const lease of this.leasesOn(provider)) {
      if (lease.state !== "active") continue;
      lease.state = "reclaiming";
      lease.reclaimDeadline = now + windowMs;
      this.clock.schedule(now + windowMs, () => {
        if (lease.closedAt === null) this.endLease(lease, "closed");
      });
    }
  }
}
