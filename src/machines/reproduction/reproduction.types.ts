import type { LeaseResources } from "../lease/lease.types.js";

export type ReproductionTrigger =
  | "high_load"
  | "geographic_demand"
  | "redundancy"
  | "specialization"
  | "scheduled"
  /** Asked for by the operator (`akash-agent spawn`), through the same gates. */
  | "operator";

export type ChildRole = "replica" | "specialized";

export interface ChildSpec {
  role: ChildRole;
  specialization: string | null;
  region: string | null;
  resources: LeaseResources;
  /** The child's deposit budget: the limit of its DepositAuthorization. */
  fundingUact: string;
}

export interface ChildPlan {
  trigger: ReproductionTrigger;
  reason: string;
  urgency: "low" | "medium" | "high";
  childConfig: ChildSpec;
}

/** A child's public identity; its mnemonic is derived from the parent's (BIP-85) at `index`. */
export interface ChildIdentity {
  childId: string;
  akash: string;
  npub: string;
  index: number;
  /** The child's Cronos `0x…` address (absent in snapshots from before children were given CRO). */
  cronos?: string;
}

/** Where a child leads itself, once born (or resurrected). */
export interface ChildLocation {
  dseq: string;
  provider: string;
  uri: string;
  /** The child's leadership generation (1 after its birth's handover). */
  generation: number;
}

export interface ChildRecord extends ChildIdentity {
  role: ChildRole;
  region: string | null;
  dseq: string | null;
  provider: string | null;
  generation: number;
  activatedAt: number | null;
  lastHeartbeatAt: number | null;
  /** Whether the parent has already alerted about missing heartbeats. */
  silent: boolean;
  /** When the parent last tried to resurrect it (null: never), so it tries once per silence window. */
  lastResurrectionAt: number | null;
  resurrections: number;
}

/** What became of an operator's spawn or retire request (the admin API reads it). */
export type FamilyRequestState =
  | { state: "accepted"; childId: string | null }
  | { state: "born"; childId: string }
  | { state: "retired"; childId: string }
  | { state: "refused"; reason: string }
  | { state: "failed"; childId: string | null; reason: string };
