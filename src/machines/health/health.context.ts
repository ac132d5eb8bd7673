import type { EffectFailure } from "../shared/index.js";
import {
  emptyHealthTrack,
  type HealthReport,
  type HealthSettings,
  type HealthTarget,
  type HealthTrack,
} from "./health.types.js";

export interface HealthInput {
  settings: HealthSettings;
}

export interface HealthContext {
  settings: HealthSettings;
  target: HealthTarget | null;
  track: HealthTrack;
  lastReport: HealthReport | null;
  /** When the next check is due (absolute); re-armed from here after a restore. */
  nextCheckAt: number | null;
  checks: number;
  lastError: EffectFailure | null;
  /** Checks in a row that could not be made (the chain unreachable); absent in older snapshots. */
  failedChecks?: number;
  /** Whether the operator was told the chain stays unreachable (so it is said once, and its end too). */
  partitionAlerted?: boolean;
}

export function initialHealthContext(input: HealthInput): HealthContext {
  return {
    settings: input.settings,
    target: null,
    track: emptyHealthTrack,
    lastReport: null,
    nextCheckAt: null,
    checks: 0,
    lastError: null,
    failedChecks: 0,
    partitionAlerted: false,
  };
}
