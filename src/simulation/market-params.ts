/**
 * The simulated market's parameters. Sources: `reference/akash-market-facts.md` (compiled from the
 * Akash node, provider, helm-charts and console repositories and market reports, 2026), whose tags are
 * kept here: [P] primary source, [S] secondary, [D] arithmetic on sourced figures, [E] an estimate
 * that the facts file itself marks for calibration. Section numbers refer to that file.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** One reliability band of providers (facts §6 "Provider 30-day uptime", [E]). */
export interface ReliabilityBand {
  name: "green" | "amber" | "red";
  /** Share of the providers in this band. */
  share: number;
  /** Mean short outages (provider unreachable, ≤ 1 h) per provider per 30 days. */
  outagesPer30Days: number;
  /** Mean degraded spells (slow or failing status) per provider per 30 days. */
  degradedPer30Days: number;
}

export interface MarketParams {
  /** Seconds per block: 6.1 ± 0.05 (§2 time base [P]/[D]). */
  blockSeconds: number;
  /**
   * Provider default price targets per resource, uact per block (§2, helm `price_script_generic.sh`
   * [P], converted [D]): CPU thread 3.72, memory GB 1.86, ephemeral GB 0.047, persistent (beta2) GB
   * 0.07, endpoint 0.116.
   */
  targetRates: { cpu: number; memoryGi: number; ephemeralGi: number; persistentGi: number; endpoint: number };
  /** Per-provider price multiplier: lognormal(μ=0, σ) on the script default (§2, §6 [E]: σ≈0.5). */
  priceSigma: number;
  /** Share of "legacy config" providers bidding 2–3× (§2, §6 [E]: 10–20 %). */
  legacyShare: number;
  legacyMultiplier: [number, number];
  /** Share of near-zero bidders (whitelist / 1 uakt style, §2 [E]: ~2 %). */
  nearZeroShare: number;
  nearZeroMultiplier: [number, number];
  /**
   * Prices move: each provider's multiplier follows a daily random walk (log σ per day). Not sourced
   * ([E], ours): providers retune their pricing scripts; a lease keeps its price for life (§6 [P]).
   */
  priceWalkDailySigma: number;
  /** Per-bid noise around the provider's current price (± this fraction, [E]). */
  bidNoise: number;
  /** Bidders per small CPU order, 3–15, at most 20 (§2 [P] cap, §6 [E]). */
  biddersPerOrder: [number, number];
  maxBidsPerOrder: number;
  /** Seconds after an order opens that a provider's bid lands ([E]; bids close after ~5 min, §2 [P]). */
  bidDelaySeconds: [number, number];
  /** A bid not accepted within this is withdrawn (provider `--bid-timeout` 5 m, §2 [P]). */
  bidTimeoutMs: number;
  bands: ReliabilityBand[];
  /** Short outage length: exponential with this mean, capped at `outageMaxMs` (§6 "≤ 1 h" [E]). */
  outageMeanMs: number;
  outageMaxMs: number;
  degradedMeanMs: number;
  /** Mass lease closure (node / control-plane failure) per provider per 90 days (§6 [E]: 3–8 %). */
  massClosurePer90Days: number;
  /**
   * Time from the node failure to the provider closing the lease as `unstable`: the provider CLI's
   * monitor gives up after ~8 min, helm charts after ~2 h (before 2026-06-25) or ~24 h (§3 [P]).
   */
  closeAfterChoicesMs: number[];
  /** Providers that go permanently dark per 90 days (§6 [E]: 5–10 %); their leases keep billing (§3 [P]). */
  darkPer90Days: number;
  /** Share of providers that offer a reclamation window (AEP-82 is opt-in, §3 [P]; share [E]). */
  reclaimingShare: number;
  /** Graceful reclaims per such provider per 90 days ("rare", §6 [E]). */
  reclaimsPer90Days: number;
  /** Reclamation notice: 24 h–72 h (chain bounds 1 h–720 h, §3 [P]; the range used here [E]). */
  reclaimWindowMs: [number, number];
  /** Share of audited providers (§1 [E]: 40–70 %). */
  auditedShare: number;
  /** Regions by share (§1 [E]: ~50 % North America, ~40 % Europe, ~10 % elsewhere). */
  regions: { region: string; share: number }[];
  /** A transaction is in a block this long after broadcast. */
  txMs: number;
  /** From the manifest to the services answering (image pull and start, [E]). */
  serviceStartSeconds: [number, number];
  /** How long a request to an unreachable provider hangs before failing ([E]: a client timeout). */
  unreachableTimeoutMs: number;
}

export const DEFAULT_MARKET_PARAMS: MarketParams = {
  blockSeconds: 6.1,
  targetRates: { cpu: 3.72, memoryGi: 1.86, ephemeralGi: 0.047, persistentGi: 0.07, endpoint: 0.116 },
  priceSigma: 0.5,
  legacyShare: 0.15,
  legacyMultiplier: [2, 3],
  nearZeroShare: 0.02,
  nearZeroMultiplier: [0.02, 0.1],
  priceWalkDailySigma: 0.05,
  bidNoise: 0.03,
  biddersPerOrder: [3, 15],
  maxBidsPerOrder: 20,
  bidDelaySeconds: [3, 40],
  bidTimeoutMs: 5 * MINUTE_MS,
  bands: [
    { name: "green", share: 0.65, outagesPer30Days: 1.5, degradedPer30Days: 1 },
    { name: "amber", share: 0.2, outagesPer30Days: 4, degradedPer30Days: 3 },
    { name: "red", share: 0.15, outagesPer30Days: 8, degradedPer30Days: 6 },
  ],
  outageMeanMs: 15 * MINUTE_MS,
  outageMaxMs: HOUR_MS,
  degradedMeanMs: 45 * MINUTE_MS,
  massClosurePer90Days: 0.05,
  closeAfterChoicesMs: [8 * MINUTE_MS, 2 * HOUR_MS, 24 * HOUR_MS],
  darkPer90Days: 0.075,
  reclaimingShare: 0.3,
  reclaimsPer90Days: 0.3,
  reclaimWindowMs: [24 * HOUR_MS, 72 * HOUR_MS],
  auditedShare: 0.5,
  regions: [
    { region: "na-us-west", share: 0.2 },
    { region: "na-us-northeast", share: 0.2 },
    { region: "na-ca-east", share: 0.1 },
    { region: "eu-central", share: 0.2 },
    { region: "eu-west", share: 0.2 },
    { region: "as-east", share: 0.05 },
    { region: "oc-southeast", share: 0.05 },
  ],
  txMs: 6_100,
  serviceStartSeconds: [30, 90],
  unreachableTimeoutMs: 10_000,
};
