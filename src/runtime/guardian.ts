import type { Logger } from "../logging/index.js";
import type { LeaderLocation } from "../services/store/index.js";
import { assessTakeBack, recordTakeBack, type TakeBackDeps } from "./take-back.js";

export interface GuardOutcome {
  /** The generation this data directory now leads as. */
  readonly generation: number;
  /** The leader that went silent and whose lease is gone. */
  readonly lostLeader: LeaderLocation;
  readonly detail: string;
}

/**
 * `run --guardian` after the handover (DESIGN §12): looks at the agent's heartbeats and its leader's
 * lease every `checkEveryMs`, and takes the agent back only when both say it is gone (heartbeats silent
 * for `silentAfterMs`, the lease closed or not served). Never while a heartbeat is fresh. Resolves with
 * the new generation once recorded, or null when `signal` aborts first.
 */
export async function guardUntilGone(
  deps: TakeBackDeps,
  o: { checkEveryMs: number; signal: AbortSignal; logger: Logger },
): Promise<GuardOutcome | null> {
  const { logger, signal } = o;
  let lastReason = "";
  while (!signal.aborted) {
    const leader = deps.leadership.current().leader;
    const verdict = await assessTakeBack(deps).catch((error: unknown) => ({
      allowed: false as const,
      reason: `the check failed: ${(error as Error).message}`,
    }));
    if (signal.aborted) return null;
    if (verdict.allowed && leader) {
      const generation = recordTakeBack(deps, verdict);
      return { generation, lostLeader: leader, detail: verdict.detail };
    }
    if (!verdict.allowed) {
      // One log line per change of reason (ages in seconds change every time: compare without digits).
      const shape = verdict.reason.replace(/\d+/g, "#");
      if (shape !== lastReason) {
        lastReason = shape;
        logger.info({ reason: verdict.reason }, "guardian: the agent is not taken back");
      }
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, o.checkEveryMs);
      signal.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
  return null;
}
