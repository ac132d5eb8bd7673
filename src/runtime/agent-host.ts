import { type Actor, type ActorOptions, type AnyActorLogic, createActor, type InspectionEvent } from "xstate";
import type { AgentServices } from "../actors/agent-services.js";
import { createLeaseActors } from "../actors/lease-actors.js";
import { createWaitActors } from "../actors/wait-actors.js";
import type { Logger } from "../logging/index.js";
import { AGENT_MACHINE_VERSION, type LeaseEvent, type LeaseInput } from "../machines/index.js";
import { knownSecretValues } from "../services/keys/index.js";
import {
  type AgentStore,
  type CommitGroup,
  createCommitGroup,
  createSnapshotPersister,
  restoreLatestSnapshot,
  type SnapshotPersister,
} from "../services/store/index.js";
import { fundFromOwnAccount, type LeaseFunder } from "./hosted-lease-funds.js";
import {
  type HostedLeaseMachine,
  provideHostedLeaseMachine,
  type WaitActors,
} from "./hosted-lease-machine.js";
import { type LeaseView, leaseViewOf } from "./lease-view.js";
import { agentWriteBarriers, hostedLeasePersistedForm } from "./persistence-policy.js";

/**
 * Version of a hosted lease's snapshot shape. The lease machine's shape is versioned with the agent's
 * (AGENT_MACHINE_VERSION), so a bump there also retires hosted lease snapshots: they are refused at
 * start rather than misread.
 */
export const HOSTED_LEASE_MACHINE_VERSION = `lease-${AGENT_MACHINE_VERSION}`;

/** The snapshots table's machine id of a hosted lease: each lease is one row series of its own. */
export function hostedLeaseMachineId(agentId: string): string {
  return `lease:${agentId}`;
}

/** systemId of every hosted lease in its own actor system (its funds requests name it as `replyTo`). */
const LEASE_SYSTEM_ID = "lease";

export interface AgentHostOptions {
  /** One store for every lease: each persists its own rows (machine id `lease:<agentId>`). */
  store: AgentStore;
  /** The services of one agent (its chain account, its provider gateway, …), asked each time an effect runs. */
  servicesOf: (agentId: string) => AgentServices;
  /** Answers funds requests. Default: each agent pays from its own account ({@link fundFromOwnAccount}). */
  fund?: LeaseFunder;
  /** Kept from every agent's own balance by the default funder, in uakt. Default "1000000". */
  feeReserveUakt?: string;
  /** The waits' clock (ms since the epoch). Default `Date.now`. */
  now?: () => number;
  /** The waits every lease invokes. Default: real timers on `now` (src/actors/wait-actors.ts). */
  waits?: WaitActors;
  /** XState's clock for the actors (delayed sends); the lease machine itself uses waits, not delays. */
  clock?: ActorOptions<AnyActorLogic>["clock"];
  /** Persist every lease's steps and resume them at start. Default true; false runs in memory (benches). */
  persist?: boolean;
  /**
   * When leases are written (DESIGN §17): `barriers` (default) writes a lease's step only when it starts
   * an effect or asks for funds, in one transaction per tick for every lease that did (group commit);
   * `every-step` writes each lease's every step in its own transaction (the former way, for comparison).
   */
  writes?: "barriers" | "every-step";
  /** Secret strings no snapshot may contain. Default: the keystore's known secrets. */
  secrets?: () => Iterable<string>;
  /** Check each snapshot is plain JSON before writing it. Default: on unless NODE_ENV is `production`. */
  checkJson?: boolean;
  /** Sees every inspection event of every lease (metrics, a live page). */
  inspect?: (agentId: string, event: InspectionEvent) => void;
  logger: Logger;
}

/** What one hosted lease is: its actor and (when persisting) its persister. */
interface HostedLease {
  readonly agentId: string;
  readonly actor: Actor<HostedLeaseMachine>;
  readonly persister: SnapshotPersister | null;
  /** The request id being paid now, so a request seen again while it is paid is not paid twice. */
  funding: string | null;
}

export interface AgentHost {
  /**
   * Starts one lease actor per input (keyed by `input.agentId`), each resuming from its last persisted
   * snapshot when the store holds one (the input is then ignored). Leases are started in the order given.
   */
  start(inputs: LeaseInput[]): void;
  /** Sends an event to one lease (health findings, LEASE.DEPLOY, LEASE.SHUTDOWN, …). */
  send(agentId: string, event: LeaseEvent): void;
  /** The lease's current view (state name, dseq, provider, runway), or undefined if it is not hosted. */
  view(agentId: string): LeaseView | undefined;
  /** The lease actor itself, for a host that reads its snapshot or subscribes to it. */
  actor(agentId: string): Actor<HostedLeaseMachine> | undefined;
  agentIds(): string[];
  readonly size: number;
  /** How many leases resumed from a stored snapshot at start. */
  readonly resumed: number;
  /**
   * Snapshot rows written and identical snapshots skipped, over every lease; steps left to the next
   * barrier; group transactions committed (0 with `writes: "every-step"`).
   */
  writes(): { written: number; skippedIdentical: number; deferredSteps: number; groupCommits: number };
  /** Writes every lease's last step now. */
  flush(): void;
  /** Writes every lease's last step, stops every lease and abandons the funds requests being paid. */
  stop(): void;
}

/**
 * Runs many lease actors (the real lease machine, src/machines/lease) in one process over one store.
 * Each lease is a root actor with its own system and its own snapshot persister, so each writes only
 * its own row when it changed, and restores on its own. Leases are written at barriers, every lease
 * that reached one in a tick in one transaction (group commit, DESIGN §17). What the agent's other
 * children would do for a lease, the host does: funds requests (kept in the lease's context until
 * answered) are paid by `fund` once the step that made them is written; health findings are the
 * caller's to send.
 *
 * Notices a lease sends to its parent (LEASE.ACTIVE, alerts) go nowhere here: a hosted lease has no
 * parent. Read the state from `view` or `actor(...).subscribe`.
 */
export function createAgentHost(options: AgentHostOptions): AgentHost {
  const { store, logger } = options;
  const persist = options.persist ?? true;
  const now = options.now ?? Date.now;
  const fund =
    options.fund ??
    fundFromOwnAccount(options.servicesOf, { feeReserveUakt: options.feeReserveUakt ?? "1000000" });
  const stopping = new AbortController();
  const log = logger.child({ component: "agent-host" });
  const leases = new Map<string, HostedLease>();
  const agentOfSystem = new WeakMap<object, string>();
  let resumed = 0;
  const atBarriers = (options.writes ?? "barriers") === "barriers";
  const commitGroup: CommitGroup | null = persist && atBarriers ? createCommitGroup(store) : null;

  const machine = provideHostedLeaseMachine({
    waits: options.waits ?? createWaitActors(now),
    effectsOf: (system) => {
      const agentId = agentOfSystem.get(system);
      if (agentId === undefined)
        throw new Error("a lease effect ran outside any hosted lease's actor system");
      return createLeaseActors(options.servicesOf(agentId));
    },
  });

  /** Pays the lease's pending request once the step that made it is written (durable before the effect). */
  const answerPendingRequest = (lease: HostedLease) => {
    const request = lease.actor.getSnapshot().context.pendingRequest;
    if (!request || lease.funding === request.requestId || stopping.signal.aborted) return;
    lease.funding = request.requestId;
    // Paying is the effect: the step that asked is a barrier, written with this tick's group commit.
    lease.persister?.requireWrite();
    // Queued after the persister's write of this step (it queues its write on the step's first event).
    queueMicrotask(async () => {
      try {
        lease.persister?.flush();
        if (lease.actor.getSnapshot().status !== "active") return;
        const answer = await fund(lease.agentId, request, stopping.signal);
        if (stopping.signal.aborted) return;
        if (lease.actor.getSnapshot().context.pendingRequest?.requestId === request.requestId) {
          lease.actor.send(answer);
        }
      } catch (error) {
        // The lease asks again when its request times out (or on its next start): paid once by its key.
        log.warn(
          { err: error, agentId: lease.agentId, requestId: request.requestId },
          "funds request failed",
        );
      } finally {
        if (lease.funding === request.requestId) lease.funding = null;
      }
    });
  };

  const startOne = (input: LeaseInput) => {
    const { agentId } = input;
    if (typeof agentId !== "string" || agentId.length === 0) {
      throw new Error("each hosted lease needs input.agentId: a non-empty string naming its agent");
    }
    if (leases.has(agentId)) {
      throw new Error(`agent "${agentId}" already has a lease in this host: give each lease its own agentId`);
    }
    const machineId = hostedLeaseMachineId(agentId);
    const restored = persist
      ? restoreLatestSnapshot(store.snapshots, machineId, { current: HOSTED_LEASE_MACHINE_VERSION })
      : undefined;
    const persister = persist
      ? createSnapshotPersister({
          store,
          machineId,
          machineVersion: HOSTED_LEASE_MACHINE_VERSION,
          secrets: options.secrets ?? knownSecretValues,
          ...(options.checkJson !== undefined ? { checkJson: options.checkJson } : {}),
          ...(atBarriers ? { barriers: agentWriteBarriers, persistedForm: hostedLeasePersistedForm } : {}),
          ...(commitGroup ? { commitGroup } : {}),
          onError: (error) => {
            log.fatal(
              { err: error, agentId },
              "cannot persist a hosted lease's state: stopping it rather than acting on unsaved state",
            );
            actor.stop();
          },
        })
      : null;
    const inspect = options.inspect;
    const actor = createActor(machine, {
      id: agentId,
      systemId: LEASE_SYSTEM_ID,
      input: { ...input, systemId: LEASE_SYSTEM_ID },
      ...(restored ? { snapshot: restored.snapshot as never } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(persister || inspect
        ? {
            inspect: (event: InspectionEvent) => {
              persister?.inspect(event);
              inspect?.(agentId, event);
            },
          }
        : {}),
    });
    agentOfSystem.set(actor.system, agentId);
    persister?.attach(actor);
    const lease: HostedLease = { agentId, actor, persister, funding: null };
    leases.set(agentId, lease);
    if (restored) resumed += 1;
    actor.subscribe({
      next: () => answerPendingRequest(lease),
      error: (error) => log.error({ err: error, agentId }, "a hosted lease failed"),
    });
    actor.start();
    // A request made before a restart is still pending in the restored context: answer it now.
    answerPendingRequest(lease);
  };

  const leaseOf = (agentId: string): HostedLease => {
    const lease = leases.get(agentId);
    if (!lease) throw new Error(`agent "${agentId}" has no lease in this host: start it first`);
    return lease;
  };

  return {
    start(inputs) {
      for (const input of inputs) startOne(input);
    },
    send(agentId, event) {
      leaseOf(agentId).actor.send(event);
    },
    view(agentId) {
      const lease = leases.get(agentId);
      return lease ? leaseViewOf(lease.actor.getSnapshot()) : undefined;
    },
    actor(agentId) {
      return leases.get(agentId)?.actor;
    },
    agentIds: () => [...leases.keys()],
    get size() {
      return leases.size;
    },
    get resumed() {
      return resumed;
    },
    writes() {
      let written = 0;
      let skippedIdentical = 0;
      let deferredSteps = 0;
      for (const { persister } of leases.values()) {
        written += persister?.writes ?? 0;
        skippedIdentical += persister?.skippedIdentical ?? 0;
        deferredSteps += persister?.deferredSteps ?? 0;
      }
      return { written, skippedIdentical, deferredSteps, groupCommits: commitGroup?.commits ?? 0 };
    },
    flush() {
      for (const { persister } of leases.values()) persister?.flush();
    },
    stop() {
      stopping.abort();
      for (const { actor, persister } of leases.values()) {
        if (actor.getSnapshot().status === "active") persister?.flush();
        actor.stop();
      }
    },
  };
}
