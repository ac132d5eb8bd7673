import { fromCallback, sendTo, setup } from "xstate";
import type { Resources } from "../domain/index.js";
import {
  type HealthNotice,
  type HealthSettings,
  healthMachine,
  healthTargetOf,
  type LeaseNotice,
  type LeaseSettings,
  leaseMachine,
} from "../machines/index.js";
import type { FundsAnswer } from "../machines/shared/index.js";

export interface SimulatedAgentInput {
  agentId: string;
  resources: Resources;
  lease: LeaseSettings;
  health: HealthSettings;
  /**
   * Whether the provider's trouble that the health monitor reports (degraded, services failed,
   * reclaiming, an expired certificate, unreachable ingress) reaches the lease, which then moves as
   * the policy plans. Off for the never-migrate baseline: it acts only on a lease that is gone.
   */
  movesOnProviderTrouble: boolean;
}

export type SimulatedAgentContext = SimulatedAgentInput;

/** What the host hears: the lease's and the health monitor's notices, and the treasury's answers. */
export type SimulatedAgentEvent = LeaseNotice | HealthNotice | (FundsAnswer & { replyTo?: string });

/** The outside world as the host sees it: funds requests, alerts and failures go to it; it answers funds requests. */
export const simulatedWorldContract = fromCallback<SimulatedAgentEvent>(() => {
  throw new Error(
    "the world actor was not provided: use simulatedAgentMachine.provide({ actors: { world } })",
  );
});

/**
 * The simulator's stand-in for the agent machine: the real lease and health machines, routed to each
 * other as the agent routes them (LEASE.ACTIVE → HEALTH.WATCH, health findings → lease), with the
 * treasury replaced by the simulated world. Keys, backups and reproduction are not simulated.
 */
export const simulatedAgentMachine = setup({
  types: {
    context: {} as SimulatedAgentContext,
    events: {} as SimulatedAgentEvent,
    input: {} as SimulatedAgentInput,
  },
  actors: { lease: leaseMachine, health: healthMachine, world: simulatedWorldContract },
  guards: {
    movesOnProviderTrouble: ({ context }) => context.movesOnProviderTrouble,
  },
  actions: {
    forwardToLease: sendTo("lease", ({ event }) => event),
    forwardToWorld: sendTo("world", ({ event }) => event),
    watchLease: sendTo("health", ({ event }) => {
      if (event.type !== "LEASE.ACTIVE") throw new Error("watchLease handles LEASE.ACTIVE only");
      const { lease } = event;
      return { type: "HEALTH.WATCH" as const, target: healthTargetOf(lease) };
    }),
  },
}).createMachine({
  id: "simulatedAgent",
  context: ({ input }) => input,
  invoke: [
    { src: "world", id: "world", systemId: "world" },
    {
      src: "lease",
      id: "lease",
      systemId: "lease",
      input: ({ context }) => ({
        agentId: context.agentId,
        resources: context.resources,
        settings: context.lease,
        systemId: "lease",
      }),
    },
    {
      src: "health",
      id: "health",
      systemId: "health",
      input: ({ context }) => ({ settings: context.health }),
    },
  ],
  entry: sendTo("lease", { type: "LEASE.DEPLOY" }),
  on: {
    "HEALTH.PASSED": { actions: "forwardToLease" },
    "HEALTH.RESOURCES_EXHAUSTED": { actions: "forwardToLease" },
    "LEASE.ESCROW_LOW": { actions: "forwardToLease" },
    "LEASE.CLOSED": { actions: "forwardToLease" },
    // A provider silent past the monitor's hysteresis: every strategy leaves it (for the
    // never-migrate baseline the hysteresis is long enough to call the lease lost).
    "HEALTH.PROVIDER_OFFLINE": { actions: "forwardToLease" },
    "HEALTH.PROVIDER_DEGRADED": { guard: "movesOnProviderTrouble", actions: "forwardToLease" },
    "HEALTH.SERVICES_FAILED": { guard: "movesOnProviderTrouble", actions: "forwardToLease" },
    "HEALTH.CERTIFICATE_EXPIRED": { guard: "movesOnProviderTrouble", actions: "forwardToLease" },
    "HEALTH.INGRESS_UNREACHABLE": { guard: "movesOnProviderTrouble", actions: "forwardToLease" },
    "LEASE.RECLAIMING": { guard: "movesOnProviderTrouble", actions: "forwardToLease" },
    "LEASE.ACTIVE": { actions: "watchLease" },
    "TREASURY.FUNDS_REQUESTED": { actions: "forwardToWorld" },
    "ALERT.RAISED": { actions: "forwardToWorld" },
    "LEASE.FAILED": { actions: "forwardToWorld" },
    "TREASURY.REQUEST_GRANTED": { actions: "forwardToLease" },
    "TREASURY.REQUEST_REFUSED": { actions: "forwardToLease" },
  },
});

export type SimulatedAgentMachine = typeof simulatedAgentMachine;
