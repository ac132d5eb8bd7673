import type { FuzzOutcome } from "../../support/fuzz-runner.js";
import { errors } from "../../support/machine-fixtures.js";
import type { Outcome } from "../../support/model-paths.js";
import { loadedIdentityAt, successfulOutput } from "../../support/successful-effects.js";
import { healthModel } from "../models/health.model.js";
import { keysModel } from "../models/keys.model.js";
import { reproductionModel } from "../models/reproduction.model.js";
import { treasuryModel } from "../models/treasury.model.js";

/** A model's outcome for a fuzz run: the same value, with its `at` (if any) set to the clock's time. */
function stamped(outcome: Outcome): FuzzOutcome {
  if ("error" in outcome) return outcome;
  const value = outcome.done;
  return {
    label: outcome.label,
    done: (_input, now) =>
      typeof value === "object" && value !== null && "at" in value ? { ...value, at: now } : value,
  };
}

function fromModel(outcomes: Record<string, Outcome[]>): Record<string, FuzzOutcome[]> {
  return Object.fromEntries(
    Object.entries(outcomes)
      .filter(([src]) => src !== "waitFor" && src !== "waitUntil")
      .map(([src, list]) => [src, list.map(stamped)]),
  );
}

const ok = (src: string, label = "ok"): FuzzOutcome => ({
  label,
  done: (input, now) => successfulOutput(src, input, now),
});
const fail = (label: keyof typeof errors): FuzzOutcome => ({ label, error: errors[label] });

/**
 * The lease model's kinds of results, but computed from the input where the chain would: each SDL
 * generation gets its own dseq, bids are on the deployment asked about, the chosen bid is one of them.
 */
export const leaseOutcomes: Record<string, FuzzOutcome[]> = {
  generateSdl: [ok("generateSdl"), fail("retryable"), fail("fatal")],
  createDeployment: [ok("createDeployment"), fail("retryable"), fail("insufficientFunds")],
  startPausedGroups: [ok("startPausedGroups"), fail("retryable"), fail("fatal")],
  collectBids: [
    ok("collectBids", "bids"),
    { label: "none", done: () => ({ bids: [] }) },
    fail("retryable"),
    fail("provider"),
  ],
  evaluateBids: [
    ok("evaluateBids", "chosen"),
    { label: "none acceptable", done: () => ({ ranked: [], chosen: null }) },
    fail("retryable"),
  ],
  createLease: [ok("createLease"), fail("bidGone"), fail("retryable"), fail("provider")],
  confirmLease: [ok("confirmLease"), fail("retryable"), fail("provider")],
  sendManifest: [ok("sendManifest"), fail("retryable"), fail("provider")],
  awaitServices: [ok("awaitServices", "ready"), fail("retryable"), fail("provider")],
  planMigration: [
    { label: "rebid", done: () => ({ strategy: "rebid" }) },
    { label: "new deployment", done: () => ({ strategy: "new_deployment" }) },
    fail("retryable"),
  ],
  closeLease: [ok("closeLease"), fail("retryable"), fail("fatal")],
  closeDeployments: [ok("closeDeployments"), fail("retryable"), fail("fatal")],
  handOverToNewLease: [ok("handOverToNewLease"), fail("retryable"), fail("fatal")],
};

export const healthOutcomes = fromModel(healthModel.outcomes);
export const keysOutcomes = fromModel(keysModel.outcomes);
export const treasuryOutcomes = fromModel(treasuryModel.outcomes);
export const reproductionOutcomes = fromModel(reproductionModel.outcomes);

export const agentOutcomes: Record<string, FuzzOutcome[]> = {
  loadIdentity: [
    { label: "ok", done: (_input, now) => loadedIdentityAt(now) },
    { label: "no keystore", error: errors.fatal },
  ],
  awaitFunding: [
    { label: "funded", done: (_input, now) => ({ uakt: "9000000", at: now }) },
    { label: "failed", error: errors.fatal },
  ],
};

/** Clock moves: a millisecond, a request timeout, a health interval, a minute, an hour, a day. */
export const ticks = [1, 50, 1_000, 60_000, 3_600_000, 86_400_000];

export const startAt = Date.UTC(2026, 10, 23, 12);
