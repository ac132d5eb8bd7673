import { UsageError } from "../errors.js";

/** The variable the crash tests set to kill the leader between the durable steps of a handover. */
export const HANDOVER_CRASH_AT_ENV = "AKASH_AGENT_HANDOVER_CRASH_AT";
/** The variable the crash tests set to kill a deployed instance between the steps of its activation. */
export const ACTIVATION_CRASH_AT_ENV = "AKASH_AGENT_ACTIVATION_CRASH_AT";

/**
 * The leader's steps: the bootstrap's (`stopped`: its agent stopped, nothing recorded; `recorded`:
 * `handing_over` recorded, nothing sent; `activated`: acknowledged, `handed_over` not recorded) and a
 * self-migration's or an upgrade's (`self-recorded`: intent recorded, nothing sent; `self-activated`:
 * acknowledged, `handed_over` or `standby` not recorded), and an upgrade's canary (`canary-activated`:
 * the canary acknowledged its activation, its watch not started).
 */
export const handoverCrashSteps = [
  "stopped",
  "recorded",
  "activated",
  "self-recorded",
  "self-activated",
  "canary-activated",
] as const;
export type HandoverCrashStep = (typeof handoverCrashSteps)[number];

/**
 * The instance's steps: `persisted` (all written, no acknowledgement sent), `acknowledged` (sent, agent
 * not started); as an upgrade's canary, `canary-persisted` (all written, no acknowledgement sent) and
 * `canary-acknowledged` (sent, its self-test under way).
 */
export const activationCrashSteps = [
  "persisted",
  "acknowledged",
  "canary-persisted",
  "canary-acknowledged",
] as const;
export type ActivationCrashStep = (typeof activationCrashSteps)[number];

export type CrashAt<Step extends string> = (step: Step) => void;

/**
 * Reads `<step>[@<agentId>][,…]`: each entry kills this process (SIGKILL) right after that step, for
 * every agent or only for the one named (several agents share one devnet's provider environment).
 * Unset, the hook does nothing.
 */
function crashPointFromEnv<Step extends string>(
  name: string,
  steps: readonly Step[],
  agentId: string,
  env: NodeJS.ProcessEnv,
): CrashAt<Step> {
  const spec = env[name];
  if (!spec) return () => {};
  const armed = new Set<Step>();
  for (const entry of spec.split(",")) {
    const [step, only, extra] = entry.trim().split("@");
    if (!steps.includes(step as Step) || only === "" || extra !== undefined) {
      throw new UsageError(
        `${name}=${spec} is not <step>[@<agentId>][,…] with step one of ${steps.join(", ")}`,
      );
    }
    if (only === undefined || only === agentId) armed.add(step as Step);
  }
  return (step) => {
    if (armed.has(step)) process.kill(process.pid, "SIGKILL");
  };
}

export function handoverCrashPointFromEnv(
  agentId: string,
  env: NodeJS.ProcessEnv = process.env,
): CrashAt<HandoverCrashStep> {
  return crashPointFromEnv(HANDOVER_CRASH_AT_ENV, handoverCrashSteps, agentId, env);
}

export function activationCrashPointFromEnv(
  agentId: string,
  env: NodeJS.ProcessEnv = process.env,
): CrashAt<ActivationCrashStep> {
  return crashPointFromEnv(ACTIVATION_CRASH_AT_ENV, activationCrashSteps, agentId, env);
}
