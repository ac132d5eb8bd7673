import { instanceUrl } from "../actors/activate-next-leader.js";
import { UPGRADE_ROLLBACK_INTENT_KIND, upgradeRollbackKey } from "../actors/handover-actor.js";
import { relayUriOf } from "../domain/index.js";
import type { Logger } from "../logging/index.js";
import { followRelay, type RelayEventSink, type RelayFollower } from "../services/relay/index.js";
import type { AgentStore } from "../services/store/index.js";

/** The exit code of a standby that took the agent back: its provider restarts it, and it leads. */
export const STANDBY_RESTART_EXIT_CODE = 75;

export interface StandbyWatchOptions {
  /** The old instance's store, `standby` since the upgrade's handover. */
  readonly store: Pick<AgentStore, "db" | "leadership" | "intents">;
  readonly agentId: string;
  /** How long after the handover (the leadership row's time) the old instance stands by. */
  readonly windowMs: number;
  readonly intervalMs: number;
  /** Failed checks of the new leader in a row that make the standby take the agent back. */
  readonly failedChecks: number;
  /**
   * How long after the handover a new leader that has not answered yet may take to start (it loads its
   * keystore and state first); its failed checks count only after that, or once it answered. Default:
   * 60 s, and never more than half the window (a leader that never starts is still rolled back).
   */
  readonly startGraceMs?: number;
  readonly now?: () => number;
  readonly logger: Logger;
  /**
   * The agent was taken back (recorded: `leading`, one generation up, and the rollback intent): the
   * process restarts to lead from its own state, which reconciles with the chain and closes the new
   * deployment.
   */
  readonly onTakenBack: (reason: string) => void;
  /** The window is over and `handed_over` recorded. */
  readonly onWindowOver?: () => void;
}

/** Whether the new leader answers `/readyz` with 200, or why not. */
async function checkLeader(url: string, timeoutMs: number): Promise<string | null> {
  try {
    const response = await fetch(new URL("/readyz", url), { signal: AbortSignal.timeout(timeoutMs) });
    if (response.ok) return null;
    const body = (await response.json().catch(() => null)) as { error?: unknown } | null;
    return `/readyz answered ${response.status}${typeof body?.error === "string" ? ` (${body.error})` : ""}`;
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
    return `not reachable (${cause ?? (error as Error).message})`;
  }
}

/**
 * The old instance after an upgrade's handover (issue 18): it checks the new leader every `intervalMs`
 * for the rollback window (a leader still starting is given `startGraceMs`). `failedChecks` failures in
 * a row → it takes the agent back: the rollback
 * intent and `leading` at the next generation are recorded in one transaction, then `onTakenBack`.
 * The window over → `handed_over` for good (the new leader closes the old deployment then).
 */
export function watchNewLeader(o: StandbyWatchOptions): { stop(): void } {
  const now = o.now ?? Date.now;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let failures = 0;
  let answered = false;
  const startGraceMs = o.startGraceMs ?? Math.min(60_000, o.windowMs / 2);

  const takeBack = (reason: string) => {
    const current = o.store.leadership.current();
    const leader = current.leader;
    o.store.db.transaction(() => {
      o.store.intents.record({
        key: upgradeRollbackKey(o.agentId, leader?.dseq ?? ""),
        kind: UPGRADE_ROLLBACK_INTENT_KIND,
        payload: { dseq: leader?.dseq ?? "", reason },
      });
      o.store.leadership.record({ generation: current.generation + 1, state: "leading", leader: null });
    })();
    o.logger.warn(
      { generation: current.generation + 1, failed: leader },
      `taking the agent back from the new version: ${reason}`,
    );
    o.onTakenBack(reason);
  };

  const check = async () => {
    timer = null;
    if (stopped) return;
    const current = o.store.leadership.current();
    if (current.state !== "standby" || !current.leader) return;
    if (now() >= current.updatedAt + o.windowMs) {
      o.store.leadership.record({
        generation: current.generation,
        state: "handed_over",
        leader: current.leader,
      });
      o.logger.info(
        { generation: current.generation, ...current.leader },
        "the rollback window is over: the new version keeps the agent, this instance hands over for good",
      );
      o.onWindowOver?.();
      return;
    }
    const reason = await checkLeader(instanceUrl(current.leader.uri), Math.min(o.intervalMs * 2, 10_000));
    if (stopped) return;
    if (reason === null) {
      failures = 0;
      answered = true;
    } else if (!answered && now() < current.updatedAt + startGraceMs) {
      o.logger.info({ reason }, "the new version's leader is not up yet");
    } else {
      failures += 1;
      o.logger.warn({ failures, of: o.failedChecks, reason }, "a check of the new version's leader failed");
      if (failures >= o.failedChecks) {
        takeBack(`the new leader failed ${failures} checks in a row: ${reason}`);
        return;
      }
    }
    timer = setTimeout(() => void check(), o.intervalMs);
  };

  o.logger.info({ windowMs: o.windowMs }, "standing by: watching the new version's leader");
  timer = setTimeout(() => void check(), o.intervalMs);
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

/** Seconds before the handover from which the standby copies the new leader's events. */
const HANDOVER_OVERLAP_S = 60;

/**
 * The standby copies the events the new leader's relay takes during the rollback window into its own
 * relay, so that a rollback loses none of them. Null when the leadership names no leader to follow.
 */
export function followNewLeaderRelay(o: {
  readonly store: Pick<AgentStore, "leadership">;
  readonly sink: RelayEventSink;
  readonly logger: Logger;
}): RelayFollower | null {
  const { leader, updatedAt } = o.store.leadership.current();
  const url = leader ? relayUriOf([leader.uri]) : undefined;
  if (!url) return null;
  o.logger.info({ relay: url }, "standing by: copying the new leader's relay events");
  return followRelay({
    url,
    since: Math.floor(updatedAt / 1000) - HANDOVER_OVERLAP_S,
    sink: o.sink,
    logger: o.logger,
  });
}
