import type { LeaseResources } from "../lease/lease.types.js";

export type ReproductionTrigger =
  | "high_load"
  | "geographic_demand"
  | "redundancy"
  | "specialization"
  | "scheduled";

export interface ChildSpec {
  role: "replica" | "specialized";
  specialization: string | null;
  region: string | null;
  resources: LeaseResources;
  fundingUact: string;
}

export interface ChildPlan {
  trigger: ReproductionTrigger;
  reason: string;
  urgency: "low" | "medium" | "high";
  childConfig: ChildSpec;
}

export interface ChildIdentity {
  childId: string;
  akash: string;
  npub: string;
}

export interface ChildRecord extends ChildIdentity {
  role: ChildSpec["role"];
  region: string | null;
  dseq: string | null;
  provider: string | null;
  activatedAt: number | null;
  lastHeartbeatAt: number | null;
  /** Whether the parent has already alerted about missing heartbeats. */
  silent: boolean;
}
