import type { DecimalInput } from "./dec-amount.js";

/** Inputs and outputs of provider scoring (provider-scoring.ts). All plain data. */

/** The chain takes at most this many bids per order (x/market `OrderMaxBids`, node v2.0.0). */
export const MAX_BIDS_PER_ORDER = 20;

/** A provider attribute as the Console API lists it: signed by the auditors in `auditedBy`. */
export interface ProviderAttribute {
  readonly key: string;
  readonly value: string;
  readonly auditedBy?: readonly string[];
}

/** The Console API's uptime view of a provider: fractions 0..1, null when unknown. */
export interface ProviderUptime {
  readonly uptime1d: number | null;
  readonly uptime7d: number | null;
  readonly uptime30d: number | null;
  readonly isOnline: boolean;
}

/** What this agent saw of a provider on its own leases (the store's ProviderStats). */
export interface ProviderHistory {
  readonly leases: number;
  readonly successes: number;
  readonly failures: number;
  /** Share of our health checks that found the service up, 0..1; null when never measured. */
  readonly measuredUptime: number | null;
}

export interface BidCandidate {
  readonly provider: string;
  /** Price per block as the bid's DecCoin amount ("12.5"), in `denom`. */
  readonly price: DecimalInput;
  readonly denom: string;
  readonly attributes: readonly ProviderAttribute[];
  /** From the Console API; null or absent when the provider is not listed there. */
  readonly uptime?: ProviderUptime | null;
  /** Our own record; null or absent when we never leased from this provider. */
  readonly history?: ProviderHistory | null;
}

/** Where one agent of the family (parent, siblings, children) runs now. */
export interface FamilyPlacement {
  readonly provider: string;
  /** Its provider's `location-region`, when known. */
  readonly region: string | null;
}

/** Points each dimension is worth at best; the total's maximum is their sum. */
export interface ScoringWeights {
  readonly price: number;
  readonly uptime: number;
  readonly reputation: number;
  readonly diversity: number;
}

export interface ScoringInput {
  readonly bids: readonly BidCandidate[];
  /** The deployment's max price per block (the SDL's group total), uact. */
  readonly maxPricePerBlock: DecimalInput;
  /** Auditor accounts whose attribute signatures we trust. */
  readonly auditors: readonly string[];
  /** Where the rest of the family runs (not this agent's own lease being replaced). */
  readonly family: readonly FamilyPlacement[];
  /** Providers that failed us; their bids are rejected as `excluded`. */
  readonly excludedProviders: readonly string[];
  /**
   * Providers to use only when no other bid is left (a child avoids its parent's and siblings'):
   * their bids are ranked after every other bid, marked `avoided`.
   */
  readonly avoidedProviders?: readonly string[];
  readonly weights?: ScoringWeights;
}

export interface ScoreBreakdown {
  readonly price: number;
  readonly uptime: number;
  readonly reputation: number;
  readonly diversity: number;
}

export interface RankedBid {
  /** 1 for the best bid. */
  readonly rank: number;
  readonly provider: string;
  /** uact per block, normalised decimal. */
  readonly price: string;
  readonly region: string | null;
  readonly audited: boolean;
  readonly total: number;
  readonly breakdown: ScoreBreakdown;
  /** Present when the provider is one to avoid: ranked after every bid that is not. */
  readonly avoided?: true;
}

export const REJECTION_REASONS = [
  "excluded",
  "wrong-denom",
  "invalid-price",
  "above-max-price",
  "offline",
  "invalid-data",
  "duplicate",
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export interface RejectedBid {
  readonly provider: string;
  /** The price as given, as text. */
  readonly price: string;
  readonly reason: RejectionReason;
  /** One line for people: why exactly. */
  readonly detail: string;
}

export interface ScoringResult {
  /** Best first. Empty when every bid was rejected. */
  readonly ranked: readonly RankedBid[];
  readonly rejected: readonly RejectedBid[];
}
