import type { LeaseResources } from "../lease/lease.types.js";

export type ReproductionTrigger =
  | "high_load"
  | "geographic_demand"
  | "redundancy"
  | "specialization"
  | "scheduled";

export interface ChildConfig {
  role: "replica" | "specialized";
  specialization: string | null;
  region: string | null;
  resources: LeaseResources;
  fundingUact: string;
}

export interface ReproductionDecision {
  trigger: ReproductionTrigger;
  reason: string;
  urgency: "low" | "medium" | "high";
  childConfig: ChildConfig;
}

export interface ChildIdentity {
  childId: string;
  akash: string;
  npub: string;
}

export interface ChildRecord extends ChildIdentity {
  role: ChildConfig["role"];
  region: string | null;
  dseq: string | null;
  provider: string | null;
  activatedAt: number | null;
  lastHeartbeatAt: number | null;
  /** Whether the parent has already alerted about missing heartbeats. */
  silent: boolean;
}
