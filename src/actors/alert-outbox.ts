import { fromCallback } from "xstate";
import type { Logger } from "../logging/index.js";
import type { AlertOutboxEvent } from "../machines/agent/agent.actors.js";
import type { AlertToDeliver } from "../machines/agent/agent.types.js";
import { createAlertDispatcher } from "../services/alerts/alert-dispatcher.js";
import type { AgentStore } from "../services/store/index.js";
import type { AlertChannels } from "./alert-channels.js";

/**
 * Where the outbox writes an alert's row: with the snapshot of the step that raised it (the
 * persister's `stageWithNextWrite`), so that an alert exists only once the state that raised it is
 * saved, and is delivered only after that write committed (DESIGN §16).
 */
export type StepWrites = (write: () => void, afterCommit: () => void) => void;

export interface AlertOutboxOptions {
  store: Pick<AgentStore, "alerts">;
  channels: AlertChannels;
  logger: Logger;
  now: () => number;
  /** Named in every alert sent. */
  agentId: string;
  /** Without one (a host that persists nothing), the row is written and delivery starts at once. */
  stepWrites?: StepWrites;
}

/** setTimeout takes at most 2^31−1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The long-lived outbox actor: each ALERT.DELIVER becomes a row (idempotent on its id; its incident and
 * channels decided then) written with its step's snapshot, then goes to the operator's channels. Failed
 * deliveries are retried with backoff; their progress is in the row, so on (re)start the outbox carries
 * on with whatever the store still holds undelivered.
 */
export function createAlertOutbox(options: AlertOutboxOptions) {
  const { store, channels, now } = options;
  const log = options.logger.child({ actor: "alerts" });
  const stepWrites: StepWrites =
    options.stepWrites ??
    ((write, afterCommit) => {
      write();
      afterCommit();
    });

  return fromCallback<AlertOutboxEvent>(({ receive }) => {
    const dispatcher = createAlertDispatcher({
      alerts: store.alerts,
      channels: channels.list,
      retry: channels.retry,
      remindAfterMs: channels.remindAfterMs,
      agentId: options.agentId,
      now,
      logger: options.logger,
    });
    let stopped = false;
    let running = false;
    let again = false;
    let timer: NodeJS.Timeout | undefined;

    const wakeAt = (at: number) => {
      clearTimeout(timer);
      timer = setTimeout(pump, Math.min(MAX_TIMER_MS, Math.max(0, at - now())));
    };
    // One delivery pass at a time; a new alert during a pass asks for another one after it.
    function pump(): void {
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
      running = true;
      clearTimeout(timer);
      dispatcher
        .deliverDue()
        .then(
          (next) => {
            if (next !== null) wakeAt(next);
          },
          (error: unknown) => {
            if (!stopped) log.error({ err: error }, "alert delivery pass failed; trying again later");
            wakeAt(now() + channels.retry.baseMs);
          },
        )
        .finally(() => {
          running = false;
          if (again && !stopped) {
            again = false;
            pump();
          }
        });
    }

    pump();
    receive((event) =>
      stepWrites(
        () => dispatcher.record(toRaised(event.alert)),
        () => pump(),
      ),
    );
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  });
}

function toRaised(alert: AlertToDeliver) {
  return {
    id: alert.id,
    severity: alert.severity,
    title: alert.title,
    message: alert.message,
    source: alert.source,
    ...(alert.incident === undefined ? {} : { incident: alert.incident }),
    ...(alert.resolves === undefined ? {} : { resolves: alert.resolves }),
  };
}
