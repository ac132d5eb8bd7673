import { fromCallback, sendTo, setup } from "xstate";
import type { Resources } from "../domain/index.js";
import {
  type HealthNotice,
  type HealthSettings,
  healthMachine,
  healthTargetOf,
  type KeyRotationInput,
  type KeyRotationNotice,
  keyRotationMachine,
  type LeaseNotice,
  type LeaseSettings,
  leaseMachine,
} from "../machines/index.js";
import type { FundsAnswer } from "../machines/shared/index.js";

export interface EnduranceAgentInput {
  agentId: string;
  resources: Resources;
  lease: LeaseSettings;
  health: HealthSettings;
  keys: KeyRotationInput;
}

/** What the host hears: the lease's, health monitor's and key rotation's notices, and the treasury's answers. */
export type EnduranceAgentEvent =
  | LeaseNotice
  | HealthNotice
  | KeyRotationNotice
  | (FundsAnswer & { replyTo?: string });

/** The outside world as the host sees it: funds requests, alerts, rotations and failures go to it. */
export const enduranceWorldContract = fromCallback<EnduranceAgentEvent>(() => {
  throw new Error(
    "the world actor was not provided: use enduranceAgentMachine.provide({ actors: { world } })",
  );
});

/**
 * One family member in the endurance run: the real lease, health and key-rotation machines, routed
 * to each other as the agent machine routes them (LEASE.ACTIVE → HEALTH.WATCH and KEYS.LEASE_ACTIVE,
 * health findings → lease, KEYS.MOVE_NEEDED → LEASE.MIGRATE), with the treasury and the alert
 * channels replaced by the simulated world. Backups, reproduction and sibling watch are not simulated.
 */
export const enduranceAgentMachine = setup({
  types: {
    context: {} as EnduranceAgentInput,
    events: {} as EnduranceAgentEvent,
    input: {} as EnduranceAgentInput,
  },
  actors: {
    lease: leaseMachine,
    health: healthMachine,
    keys: keyRotationMachine,
    world: enduranceWorldContract,
  },
  actions: {
    forwardToLease: sendTo("lease", ({ event }) => event),
    forwardToWorld: sendTo("world", ({ event }) => event),
    watchLease: sendTo("health", ({ event }) => {
      if (event.type !== "LEASE.ACTIVE") throw new Error("watchLease handles LEASE.ACTIVE only");
      const { lease } = event;
      return { type: "HEALTH.WATCH" as const, target: healthTargetOf(lease) };
    }),
    tellKeysWhereLeaseIs: sendTo("keys", ({ event }) => {
      if (event.type !== "LEASE.ACTIVE") throw new Error("tellKeysWhereLeaseIs handles LEASE.ACTIVE only");
      return { type: "KEYS.LEASE_ACTIVE" as const, owner: event.lease.owner ?? null };
    }),
  },
}).createMachine({
  id: "enduranceAgent",
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
    { src: "keys", id: "keys", systemId: "keys", input: ({ context }) => context.keys },
  ],
  entry: sendTo("lease", { type: "LEASE.DEPLOY" }),
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
    "LEASE.ACTIVE": { actions: ["watchLease", "tellKeysWhereLeaseIs"] },
    "KEYS.MOVE_NEEDED": {
      actions: sendTo("lease", ({ event }) => ({
        type: "LEASE.MIGRATE" as const,
        owner: event.owner,
        fromOwner: event.fromOwner,
        reason: event.reason,
      })),
    },
    "TREASURY.FUNDS_REQUESTED": { actions: "forwardToWorld" },
    "ALERT.RAISED": { actions: "forwardToWorld" },
    "LEASE.FAILED": { actions: "forwardToWorld" },
    "KEYS.ROTATED": { actions: "forwardToWorld" },
    "KEYS.ROTATION_FAILED": { actions: "forwardToWorld" },
    "TREASURY.REQUEST_GRANTED": { actions: "forwardToLease" },
    "TREASURY.REQUEST_REFUSED": { actions: "forwardToLease" },
  },
});
