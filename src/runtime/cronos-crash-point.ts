import { UsageError } from "../errors.js";
import type { CronosLegKind, CronosLegStep, CronosStepHook } from "../services/cronos/index.js";

/** The variable the reliability tests set to kill the agent in a step of the CRO→AKT path. */
export const CRONOS_CRASH_AT_ENV = "AKASH_AGENT_CRASH_AT_CRONOS";

const legs: readonly CronosLegKind[] = ["cronos_swap", "cronos_bridge", "cronos_transfer"];
const steps: readonly CronosLegStep[] = ["signed", "sent", "mined"];

/**
 * Fault injection for crash tests: `AKASH_AGENT_CRASH_AT_CRONOS=<leg>:<step>` (leg cronos_swap,
 * cronos_bridge or cronos_transfer, step signed, sent or mined) SIGKILLs this process right after that durable step.
 */
export function cronosCrashPointFromEnv(env: NodeJS.ProcessEnv = process.env): CronosStepHook | undefined {
  const spec = env[CRONOS_CRASH_AT_ENV];
  if (!spec) return undefined;
  const [leg, step] = spec.split(":");
  if (!legs.includes(leg as CronosLegKind) || !steps.includes(step as CronosLegStep)) {
    throw new UsageError(
      `${CRONOS_CRASH_AT_ENV}=${spec} is not <leg>:<step> with leg one of ${legs.join(", ")} and step one of ${steps.join(", ")}`,
    );
  }
  return (atLeg, atStep) => {
    if (atLeg === leg && atStep === step) process.kill(process.pid, "SIGKILL");
  };
}
