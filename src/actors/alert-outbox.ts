import { fromCallback } from "xstate";
import type { Logger } from "../logging/index.js";
import type { AlertOutboxEvent } from "../machines/agent/agent.actors.js";
import type { AlertToDeliver } from "../machines/agent/agent.types.js";
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
  /** Without one (a host that persists nothing), the row is written and delivery starts at once. */
  stepWrites?: StepWrites;
}

/**
 * The long-lived outbox actor: each ALERT.DELIVER becomes a row (idempotent on its id) written with
 * its step's snapshot, then goes to the operator's channels; on (re)start it delivers whatever the
 * store still holds undelivered.
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

  const record = (alert: AlertToDeliver) =>
    store.alerts.raise({
      id: alert.id,
      severity: alert.severity,
      title: alert.title,
      message: alert.message,
      metadata: { source: alert.source },
      channels: channels.names(),
    });

  const deliver = async (alert: AlertToDeliver) => {
    if (store.alerts.get(alert.id)?.deliveredAt != null) return;
    await channels.deliver(alert);
    store.alerts.markDelivered(alert.id, now());
  };

  return fromCallback<AlertOutboxEvent>(({ receive }) => {
    let stopped = false;
    const send = (alert: AlertToDeliver) => {
      deliver(alert).catch((error: unknown) => {
        if (!stopped)
          log.error(
            { err: error, alert: alert.id },
            "alert delivery failed; it stays queued for the next start",
          );
      });
    };
    for (const pending of store.alerts.undelivered()) {
      send({
        id: pending.id,
        severity: pending.severity,
        title: pending.title,
        message: pending.message,
        source: String(pending.metadata.source ?? "agent"),
      });
    }
    receive((event) =>
      stepWrites(
        () => record(event.alert),
        () => send(event.alert),
      ),
    );
    return () => {
      stopped = true;
    };
  });
}
