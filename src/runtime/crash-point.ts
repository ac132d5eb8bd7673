import { UsageError } from "../errors.js";
import type { TxStep, TxStepHook } from "../services/akash/index.js";
import { type PassphraseChangeStep, passphraseChangeSteps } from "../services/keys/index.js";

/** The variable the reliability tests set to kill the agent in the middle of a transaction. */
export const CRASH_AT_ENV = "AKASH_AGENT_CRASH_AT";

const steps: readonly TxStep[] = ["recorded", "signed", "broadcast", "included"];

/**
 * Fault injection for crash tests: `AKASH_AGENT_CRASH_AT=<step>[:<n>]` SIGKILLs this process at the
 * n-th (default first) transaction step of that kind — after the intent is recorded, after the tx is
 * signed and stored, after it is broadcast, or once a block holds it. Unset, nothing happens.
 */
export function crashPointFromEnv(env: NodeJS.ProcessEnv = process.env): TxStepHook | undefined {
  const spec = env[CRASH_AT_ENV];
  if (!spec) return undefined;
  const [step, countText] = spec.split(":");
  const count = countText === undefined ? 1 : Number(countText);
  if (!steps.includes(step as TxStep) || !Number.isInteger(count) || count < 1) {
    throw new UsageError(
      `${CRASH_AT_ENV}=${spec} is not <step>[:<n>] with step one of ${steps.join(", ")} and n ≥ 1`,
    );
  }
  let seen = 0;
  return (current) => {
    if (current !== step) return;
    seen += 1;
    if (seen === count) process.kill(process.pid, "SIGKILL");
  };
}

/** The variable the key-custody crash tests set to kill `keys passwd` between its durable steps. */
export const KEYSTORE_CRASH_AT_ENV = "AKASH_AGENT_KEYSTORE_CRASH_AT";

/**
 * Fault injection for `keys passwd`: `AKASH_AGENT_KEYSTORE_CRASH_AT=<step>` SIGKILLs this process right
 * after that step of the passphrase change (written, backed-up, replaced). Unset, nothing happens.
 */
export function keystoreCrashPointFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): ((step: PassphraseChangeStep) => void) | undefined {
  const spec = env[KEYSTORE_CRASH_AT_ENV];
  if (!spec) return undefined;
  if (!passphraseChangeSteps.includes(spec as PassphraseChangeStep)) {
    throw new UsageError(
      `${KEYSTORE_CRASH_AT_ENV}=${spec} is not one of ${passphraseChangeSteps.join(", ")}`,
    );
  }
  return (step) => {
    if (step === spec) process.kill(process.pid, "SIGKILL");
  };
}
