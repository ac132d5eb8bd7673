import { actorContract } from "../shared/index.js";
import type { HealthReport, HealthTarget } from "./health.types.js";

export interface CheckHealthInput {
  target: HealthTarget;
}

export const healthActorContracts = {
  /** Looks at the provider, the lease on chain, the services and the escrow; never throws for a bad provider (that is a finding). */
  checkHealth: actorContract<HealthReport, CheckHealthInput>("checkHealth"),
};
