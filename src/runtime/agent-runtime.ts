import { type Actor, createActor, type InspectionEvent } from "xstate";
import type { AgentServices } from "../actors/agent-services.js";
import type { AlertChannels } from "../actors/alert-channels.js";
import { provideAgentMachine } from "../actors/provide-agent.js";
import type { ReproductionActorOptions } from "../actors/reproduction-actors.js";
import {
  AGENT_MACHINE_VERSION,
  AGENT_SNAPSHOT_UPGRADES,
  type AgentCommand,
  type AgentSettings,
  type LeaseMachine,
} from "../machines/index.js";
import { type OutgoingAlert, sendWithoutOutbox } from "../services/alerts/index.js";
import { knownSecretValues } from "../services/keys/index.js";
import {
  createSnapshotPersister,
  restoreLatestSnapshot,
  type SnapshotPersister,
} from "../services/store/index.js";
import { type LeaseView, leaseViewFromPersisted, leaseViewOf } from "./lease-view.js";
import { agentPersistedForm, agentWriteBarriers } from "./persistence-policy.js";
import { createProgressReporter } from "./progress-reporter.js";

export const AGENT_MACHINE_ID = "agent";

export interface AgentRuntimeOptions {
  services: AgentServices;
  settings: AgentSettings;
  channels: AlertChannels;
  feeReserveUakt: string;
  reproduction: ReproductionActorOptions;
  /** Extra inspection (e.g. the live page's WebSocket relay). */
  inspect?: (event: InspectionEvent) => void;
}

export interface AgentRuntime {
  readonly actor: Actor<ReturnType<typeof provideAgentMachine>>;
  readonly persister: SnapshotPersister;
  /** Whether the run continues from a stored snapshot (and which). */
  readonly restoredSeq: number | null;
  /** The lease actor's current view, or null before the agent is running. */
  lease(): LeaseView | null;
  /** Sends a command, journalled first. */
  send(command: AgentCommand, source?: string): void;
  /** Resolves with the lease view once `until` holds, or rejects when the root stops or errors first. */
  waitForLease(until: (view: LeaseView) => boolean): Promise<LeaseView>;
  /** Writes the last step and stops every actor (the deployment stays; see AGENT.SHUTDOWN to close it). */
  stop(): void;
  /** Settles once the alert sent when the store failed (if it did) was taken or given up. */
  stopAlertSent(): Promise<void>;
}

/**
 * Runs the agent: restores the latest snapshot from the store (or starts fresh), persists every
 * settled step of any actor, reports progress, and gives the host a small control surface.
 * Deadlines need no re-arming by hand: every wait is a `waitUntil` actor the restore re-invokes
 * with its absolute time.
 */
export function startAgentRuntime(options: AgentRuntimeOptions): AgentRuntime {
  const { services } = options;
  const { store, logger } = services;
  const restored = restoreLatestSnapshot(store.snapshots, AGENT_MACHINE_ID, {
    current: AGENT_MACHINE_VERSION,
    upgrades: AGENT_SNAPSHOT_UPGRADES,
  });
  const persister = createSnapshotPersister({
    store,
    machineId: AGENT_MACHINE_ID,
    machineVersion: AGENT_MACHINE_VERSION,
    secrets: knownSecretValues,
    // DESIGN §17: written at barriers (an effect starts, an input is journaled, stop), readings blanked.
    barriers: agentWriteBarriers,
    persistedForm: agentPersistedForm,
    onError: (error) => {
      logger.fatal(
        { err: error },
        "cannot persist the agent's state: stopping rather than acting on unsaved state",
      );
      process.exitCode = 1;
      const agentId = (actor.getSnapshot().context as { loaded?: { identity: { agentId: string } } | null })
        .loaded?.identity.agentId;
      actor.stop();
      lastAlert = sendWithoutOutbox(
        options.channels.list,
        storeFailureAlert(error, agentId, services.now()),
        {
          timeoutMs: STORE_FAILURE_ALERT_TIMEOUT_MS,
          logger,
        },
      );
    },
  });
  let lastAlert: Promise<void> = Promise.resolve();
  const progress = createProgressReporter(logger);
  const machine = provideAgentMachine(services, {
    channels: options.channels,
    feeReserveUakt: options.feeReserveUakt,
    reproduction: options.reproduction,
    stepWrites: persister.stageWithNextWrite,
  });
  // The lease's last view, kept from the inspection stream: once the agent stops (e.g. after the
  // lease terminated) the lease actor is gone, but what it last was still answers `lease()`.
  let lastLease: LeaseView | null = null;
  const actor = createActor(machine, {
    id: AGENT_MACHINE_ID,
    input: { settings: options.settings },
    ...(restored ? { snapshot: restored.snapshot as never } : {}),
    inspect: (event) => {
      persister.inspect(event);
      progress(event);
      if (event.type === "@xstate.snapshot" && (event.actorRef as { id?: string }).id === "lease") {
        lastLease = leaseViewOf(event.snapshot as never);
      }
      options.inspect?.(event);
    },
  });
  persister.attach(actor);
  if (restored)
    logger.info(
      { seq: restored.seq, savedAt: new Date(restored.createdAt).toISOString() },
      "resuming from the stored snapshot",
    );
  actor.start();

  const lease = (): LeaseView | null => {
    const child = actor.getSnapshot().children.lease as
      | { getSnapshot(): ReturnType<LeaseMachine["getInitialSnapshot"]> }
      | undefined;
    if (child) return leaseViewOf(child.getSnapshot());
    // The lease actor is gone: the agent's own record of how it ended is fresher than the last
    // inspected view (the agent reaches its final state a moment before the lease's last snapshot).
    return leaseViewFromPersisted(actor.getSnapshot()) ?? lastLease;
  };

  return {
    actor,
    persister,
    restoredSeq: restored?.seq ?? null,
    lease,
    send(command, source = "host") {
      persister.recordInput({ source, type: command.type, payload: command });
      actor.send(command);
    },
    waitForLease(until) {
      return new Promise((resolve, reject) => {
        let done = false;
        let subscription: { unsubscribe(): void } | undefined;
        let timer: NodeJS.Timeout | undefined;
        const finish = (settle: () => void) => {
          if (done) return;
          done = true;
          subscription?.unsubscribe();
          clearInterval(timer);
          settle();
        };
        const check = () => {
          const view = lease();
          if (view && until(view)) return finish(() => resolve(view));
          const snapshot = actor.getSnapshot();
          if (snapshot.status !== "active") {
            finish(() => reject(new Error(`the agent stopped in state ${JSON.stringify(snapshot.value)}`)));
          }
        };
        check();
        if (done) return;
        // The root's own subscription misses child-only changes; a short poll covers them.
        subscription = actor.subscribe({
          next: check,
          complete: check,
          error: (error) => finish(() => reject(error)),
        });
        timer = setInterval(check, 100);
      });
    },
    stop() {
      persister.flush();
      actor.stop();
    },
    stopAlertSent: () => lastAlert,
  };
}

/** How long the alert that the store failed may take per channel (it is sent once, not from the outbox). */
const STORE_FAILURE_ALERT_TIMEOUT_MS = 10_000;

/** The alert that the agent stopped because its store took no more writes (no path or value in it). */
function storeFailureAlert(error: unknown, agentId: string | undefined, now: number): OutgoingAlert {
  const code = (error as { code?: unknown }).code;
  const why =
    code === "SQLITE_FULL"
      ? "the disk under its data directory is full"
      : `its store refused a write (${typeof code === "string" ? code : (error as Error).name})`;
  return {
    id: `${agentId ?? "agent"}:store-failure:${now}`,
    severity: "critical",
    title: "Agent state cannot be saved",
    message: `The agent stopped rather than act on state it could not save: ${why}. Its lease keeps running; started again once the store takes writes (by its supervisor, or by hand), it resumes from its last saved state.`,
    source: "agent",
    incident: "agent/store-failure",
    resolves: false,
    agentId: agentId ?? "agent",
    raisedAt: now,
  };
}
