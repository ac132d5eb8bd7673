import { EffectError } from "../domain/index.js";
import type { HealthReport, HealthTarget, LeaseId } from "../machines/index.js";
import type { Interval, Market } from "./market-model.js";
import { type EscrowLedger, MarketWorld } from "./market-world.js";
import type { SimulationClock } from "./simulation-clock.js";

/**
 * One family member's spend cap as the chain enforces it (DESIGN §13, reference/akash-authz-facts.md
 * §1): an escrow DepositAuthorization whose `spend_limits` every deposit draws down and every refund
 * of a closed deployment's escrow adds back; a deposit beyond what is left is refused.
 */
export class SpendCap implements EscrowLedger {
  /** uact deposited into escrow over the run (deployments and top-ups). */
  depositedUact = 0;
  refundedUact = 0;
  /** Deposits the chain (or the treasury reading the grant) refused because the cap was reached. */
  refusals = 0;

  constructor(readonly capUact: number) {}

  remainingUact(): number {
    return this.capUact - this.depositedUact + this.refundedUact;
  }

  allows(amountUact: number): boolean {
    return amountUact <= this.remainingUact();
  }

  deposited(_dseq: string, amountUact: number): void {
    this.depositedUact += amountUact;
  }

  refunded(_dseq: string, amountUact: number): void {
    this.refundedUact += amountUact;
  }
}

export const chainDown = (outages: readonly Interval[], at: number) =>
  outages.some((outage) => outage.start <= at && at < outage.end);

const unreachable = () =>
  new EffectError("retryable", "the Akash RPC and gRPC endpoints did not answer (simulated outage)");

/**
 * A family member's view of the one shared chain and market: the market world of the simulator (its
 * leases on the shared providers, so a provider's failure hits every member there), whose chain
 * reads and transactions fail while an RPC outage lasts, with deposits held to the member's cap and
 * each deployment's owner (the Akash key index that made it) kept.
 */
export class MemberWorld extends MarketWorld {
  private readonly owners = new Map<string, string>();
  /** Leases taken from a provider while its price was spiked. */
  leasesAtSpikedPrice = 0;

  constructor(
    market: Market,
    private readonly chainClock: SimulationClock,
    readonly cap: SpendCap,
    readonly outages: readonly Interval[],
    firstDseq: number,
    private readonly spiked: (provider: string, at: number) => boolean = () => false,
  ) {
    super(market, chainClock, { firstDseq, ledger: cap });
  }

  chainDown(): boolean {
    return chainDown(this.outages, this.chainClock.now());
  }

  private requireChain(): void {
    if (this.chainDown()) throw unreachable();
  }

  noteOwner(dseq: string, owner: string): void {
    this.owners.set(dseq, owner);
  }

  /** Open deployments that `owner` owns. */
  openOwnedBy(owner: string): string[] {
    return this.openDseqs().filter((dseq) => this.owners.get(dseq) === owner);
  }

  override createDeployment(
    dseq: string,
    depositUact: number,
    maxPriceUact: number,
    keepDseqs: string[],
  ): void {
    this.requireChain();
    if (!this.openDseqs().includes(dseq) && !this.cap.allows(depositUact)) {
      this.cap.refusals++;
      throw new EffectError(
        "fatal",
        `the deposit of ${depositUact} uact is beyond the spend limit left (${Math.floor(this.cap.remainingUact())} uact)`,
      );
    }
    super.createDeployment(dseq, depositUact, maxPriceUact, keepDseqs);
  }

  override createLease(id: LeaseId, priceUact: string): void {
    this.requireChain();
    super.createLease(id, priceUact);
    if (this.spiked(id.provider, this.chainClock.now())) this.leasesAtSpikedPrice++;
  }

  override confirmLease(id: LeaseId): { hostUri: string } {
    this.requireChain();
    return super.confirmLease(id);
  }

  override closeLease(id: LeaseId): void {
    this.requireChain();
    super.closeLease(id);
  }

  /** The agent's close (a transaction); the world's own closes (escrow, sweeps) go through `endDeployment`. */
  closeDeploymentTx(dseq: string): void {
    this.requireChain();
    this.closeDeployment(dseq);
  }

  override leaseGoneOrSilent(id: LeaseId): boolean {
    this.requireChain();
    return super.leaseGoneOrSilent(id);
  }

  override healthReport(target: HealthTarget): HealthReport {
    this.requireChain();
    return super.healthReport(target);
  }

  /** While the chain cannot be read, no check passes on its own: the monitor checks when due. */
  override passingUntil(target: HealthTarget, lowRunwayHours: number): number | null {
    if (this.chainDown()) return null;
    return super.passingUntil(target, lowRunwayHours);
  }
}
