import { assign, enqueueActions, sendTo, setup, stopChild } from "xstate";
import { healthMachine } from "../health/health.machine.js";
import { healthTargetOf } from "../health/health.types.js";
import { keyRotationMachine } from "../keys/keys.machine.js";
import { leaseMachine } from "../lease/lease.machine.js";
import { reproductionMachine } from "../reproduction/reproduction.machine.js";
import { type AlertNotice, toEffectFailure, waitFor } from "../shared/index.js";
import { siblingWatchMachine } from "../sibling-watch/sibling-watch.machine.js";
import { treasuryMachine } from "../treasury/treasury.machine.js";
import { agentActorContracts } from "./agent.actors.js";
import { type AgentContext, type AgentInput, initialAgentContext } from "./agent.context.js";
import type { AgentEvent } from "./agent.events.js";

/** systemIds of the agent's children; siblings never hold each other's refs, the agent routes. */
export const AGENT_CHILDREN = ["lease", "health", "keys", "treasury", "reproduction"] as const;

/**
 * The root: boot (load the identity; a restored snapshot resumes where it was) → await funding
 * (shows the addresses, waits for AKT) → running, with the five children invoked by name with
 * `id` and `systemId`, and the agent routing their notices: health findings to the lease, wallet
 * warnings and funds requests to the treasury, treasury answers to whoever asked, an active lease
 * to the health monitor, alerts to delivery actors → shutdown (optionally terminating the lease
 * first) → stopped.
 */
export const agentMachine = setup({
  types: {
    context: {} as AgentContext,
    events: {} as AgentEvent,
    input: {} as AgentInput,
  },
  actors: {
    ...agentActorContracts,
    waitFor,
    lease: leaseMachine,
    health: healthMachine,
    keys: keyRotationMachine,
    treasury: treasuryMachine,
    reproduction: reproductionMachine,
    siblingWatch: siblingWatchMachine,
  },
  guards: {
    leaseNeedsNoClosing: ({ context }) => !context.terminateLeaseOnShutdown || context.leaseTerminated,
  },
  actions: {
    forwardToLease: sendTo("lease", ({ event }) => event),
    forwardToTreasury: sendTo("treasury", ({ event }) => event),
    forwardToReproduction: sendTo("reproduction", ({ event }) => event),
    sendAlert: enqueueActions(({ context, enqueue }, params: Omit<AlertNotice, "type">) => {
      enqueue.assign({ alerts: context.alerts + 1 });
      enqueue.sendTo("alerts", {
        type: "ALERT.DELIVER",
        alert: { id: `${context.loaded?.identity.agentId ?? "agent"}:alert:${context.alerts}`, ...params },
      });
    }),
    routeAnswer: enqueueActions(({ enqueue, event, system }) => {
      if (event.type !== "TREASURY.REQUEST_GRANTED" && event.type !== "TREASURY.REQUEST_REFUSED") return;
      const requester = system.get(event.replyTo);
      if (!requester) return;
      const { replyTo: _replyTo, ...answer } = event;
      enqueue.sendTo(requester, answer);
    }),
    /** A rotation of the Akash key waits for the lease to be active in the new key's deployment. */
    tellKeysWhereLeaseIs: sendTo("keys", ({ event }) => {
      if (event.type !== "LEASE.ACTIVE") throw new Error("tellKeysWhereLeaseIs handles LEASE.ACTIVE only");
      return { type: "KEYS.LEASE_ACTIVE" as const, owner: event.lease.owner ?? null };
    }),
    /** Only a child watches its siblings (DESIGN §13): spawned, so an agent without a parent has none. */
    watchSiblings: enqueueActions(({ context, enqueue, event, system }) => {
      const settings =
        event.type === "SIBLINGS.WATCH" ? event.settings : (context.settings.siblingWatch ?? null);
      if (!settings || !context.loaded || system.get("siblingWatch")) return;
      enqueue.spawnChild("siblingWatch", {
        id: "siblingWatch",
        systemId: "siblingWatch",
        input: { agentId: context.loaded.identity.agentId, settings },
      });
    }),
    watchLease: sendTo("health", ({ event }) => {
      if (event.type !== "LEASE.ACTIVE") throw new Error("watchLease handles LEASE.ACTIVE only");
      const { lease } = event;
      return { type: "HEALTH.WATCH" as const, target: healthTargetOf(lease) };
    }),
  },
}).createMachine({
  id: "agent",
  context: ({ input }) => initialAgentContext(input),
  initial: "booting",
  invoke: [
    { src: "alertOutbox", id: "alerts", systemId: "alerts" },
    { src: "heartbeat", id: "heartbeat", systemId: "heartbeat" },
  ],
  on: {
    "ALERT.RAISED": {
      actions: {
        type: "sendAlert",
        params: ({ event }) => ({
          source: event.source,
          severity: event.severity,
          title: event.title,
          message: event.message,
          ...(event.incident === undefined ? {} : { incident: event.incident }),
          ...(event.resolves === undefined ? {} : { resolves: event.resolves }),
        }),
      },
    },
  },
  states: {
    booting: {
      invoke: {
        src: "loadIdentity",
        onDone: { target: "awaiting_funding", actions: assign({ loaded: ({ event }) => event.output }) },
        onError: {
          target: "halted",
          actions: assign({ lastError: ({ event }) => toEffectFailure(event.error) }),
        },
      },
      on: { "AGENT.SHUTDOWN": "stopped" },
    },

    awaiting_funding: {
      invoke: {
        src: "awaitFunding",
        input: ({ context }) => ({
          akash: context.loaded!.identity.akash,
          minimumUakt: context.settings.minimumFundingUakt,
        }),
        onDone: "running",
        onError: {
          target: "halted",
          actions: assign({ lastError: ({ event }) => toEffectFailure(event.error) }),
        },
      },
      on: { "AGENT.SHUTDOWN": "stopped" },
    },

    running: {
      invoke: [
        {
          src: "lease",
          id: "lease",
          systemId: "lease",
          input: ({ context }) => ({
            agentId: context.loaded!.identity.agentId,
            resources: context.settings.resources,
            settings: context.settings.lease,
            systemId: "lease",
          }),
        },
        {
          src: "health",
          id: "health",
          systemId: "health",
          input: ({ context }) => ({ settings: context.settings.health }),
        },
        {
          src: "keys",
          id: "keys",
          systemId: "keys",
          input: ({ context }) => ({
            agentId: context.loaded!.identity.agentId,
            settings: context.settings.keys,
            keys: context.loaded!.keys,
          }),
        },
        {
          src: "treasury",
          id: "treasury",
          systemId: "treasury",
          input: ({ context }) => ({
            agentId: context.loaded!.identity.agentId,
            settings: context.settings.treasury,
          }),
        },
        {
          src: "reproduction",
          id: "reproduction",
          systemId: "reproduction",
          input: ({ context }) => ({
            agentId: context.loaded!.identity.agentId,
            settings: context.settings.reproduction,
            children: context.loaded!.children,
            nextChildIndex: context.loaded!.nextChildIndex ?? 0,
          }),
        },
      ],
      entry: [sendTo("lease", { type: "LEASE.DEPLOY" }), "watchSiblings"],
      // The sibling watch is spawned (only a child has one): it lives while the agent runs, like the rest.
      exit: stopChild("siblingWatch"),
      initial: "operating",
      on: {
        "HEALTH.PASSED": { actions: "forwardToLease" },
        "HEALTH.SERVICES_FAILED": { actions: "forwardToLease" },
        "HEALTH.PROVIDER_DEGRADED": { actions: "forwardToLease" },
        "HEALTH.PROVIDER_OFFLINE": { actions: "forwardToLease" },
        "HEALTH.CERTIFICATE_EXPIRED": { actions: "forwardToLease" },
        "HEALTH.INGRESS_UNREACHABLE": { actions: "forwardToLease" },
        "HEALTH.RESOURCES_EXHAUSTED": { actions: "forwardToLease" },
        "LEASE.ESCROW_LOW": { actions: "forwardToLease" },
        "LEASE.RECLAIMING": { actions: "forwardToLease" },
        "LEASE.CLOSED": { actions: "forwardToLease" },
        // A child is placed away from where this agent runs: the family looks again once that is known.
        "LEASE.ACTIVE": {
          actions: [
            "watchLease",
            "tellKeysWhereLeaseIs",
            sendTo("reproduction", { type: "REPRODUCTION.EVALUATE_NOW" }),
          ],
        },
        "KEYS.MOVE_NEEDED": {
          actions: sendTo("lease", ({ event }) => ({
            type: "LEASE.MIGRATE" as const,
            owner: event.owner,
            fromOwner: event.fromOwner,
            reason: event.reason,
          })),
        },
        "KEYS.SCHEDULE": { actions: sendTo("keys", ({ event }) => event) },
        "SIBLINGS.WATCH": { actions: "watchSiblings" },
        "LEASE.SCALE_CAPPED": { actions: sendTo("reproduction", { type: "REPRODUCTION.EVALUATE_NOW" }) },
        "TREASURY.FUNDS_REQUESTED": { actions: "forwardToTreasury" },
        "TREASURY.WALLET_LOW": { actions: "forwardToTreasury" },
        "TREASURY.SWAP_NEEDED": { actions: "forwardToTreasury" },
        "TREASURY.REQUEST_GRANTED": { actions: "routeAnswer" },
        "TREASURY.REQUEST_REFUSED": { actions: "routeAnswer" },
        // AKT arrived: a move the lease deferred for lack of funds goes on.
        "TREASURY.SWAPPED": { actions: "forwardToLease" },
        "CHILD.HEARTBEAT": { actions: "forwardToReproduction" },
        "REPRODUCTION.SPAWN": { actions: "forwardToReproduction" },
        "REPRODUCTION.RETIRE": { actions: "forwardToReproduction" },
        "LEASE.RETRY": { actions: "forwardToLease" },
        "LEASE.UPGRADE": { actions: "forwardToLease" },
        "HEALTH.REASSESS": { actions: sendTo("health", { type: "HEALTH.REASSESS" }) },
        "AGENT.SHUTDOWN": {
          target: ".shutting_down",
          actions: assign({ terminateLeaseOnShutdown: ({ event }) => event.terminateLease }),
        },
      },
      states: {
        operating: {
          on: {
            "LEASE.TERMINATED": {
              actions: [
                assign({ leaseTerminated: true, terminatedDseq: ({ event }) => event.dseq }),
                sendTo("health", { type: "HEALTH.UNWATCH" }),
              ],
            },
          },
        },
        shutting_down: {
          always: { guard: "leaseNeedsNoClosing", target: "#agent.stopped" },
          entry: enqueueActions(({ context, enqueue }) => {
            if (context.terminateLeaseOnShutdown && !context.leaseTerminated) {
              enqueue.sendTo("lease", { type: "LEASE.SHUTDOWN" });
            }
          }),
          invoke: {
            src: "waitFor",
            input: ({ context }) => ({ ms: context.settings.shutdownTimeoutMs }),
            onDone: {
              target: "#agent.stopped",
              actions: {
                type: "sendAlert",
                params: {
                  source: "agent",
                  severity: "critical",
                  title: "Shutdown timed out",
                  message:
                    "The lease did not close in time; the agent stopped anyway. Check for an open deployment.",
                },
              },
            },
          },
          on: {
            "LEASE.TERMINATED": {
              target: "#agent.stopped",
              actions: assign({ leaseTerminated: true, terminatedDseq: ({ event }) => event.dseq }),
            },
            "AGENT.SHUTDOWN": {},
          },
        },
      },
    },

    halted: { type: "final" },
    stopped: { type: "final" },
  },
});

export type AgentMachine = typeof agentMachine;
