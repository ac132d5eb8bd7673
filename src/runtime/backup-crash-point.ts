import { UsageError } from "../errors.js";
import { type BackupStep, backupSteps } from "../services/backup/index.js";

/** The variable the backup crash tests set to kill the process in the middle of a backup. */
export const BACKUP_CRASH_AT_ENV = "AKASH_AGENT_BACKUP_CRASH_AT";

/**
 * Fault injection: `AKASH_AGENT_BACKUP_CRASH_AT=<step>` SIGKILLs this process right after that step of
 * a backup (sealed: item recorded; uploaded: posted to the gateway; served: the gateway serves it, the
 * pointer not yet moved). Unset, nothing happens.
 */
export function backupCrashPointFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): ((step: BackupStep) => void) | undefined {
  const spec = env[BACKUP_CRASH_AT_ENV];
  if (!spec) return undefined;
  if (!backupSteps.includes(spec as BackupStep)) {
    throw new UsageError(`${BACKUP_CRASH_AT_ENV}=${spec} is not one of ${backupSteps.join(", ")}`);
  }
  return (step) => {
    if (step === spec) process.kill(process.pid, "SIGKILL");
  };
}
