import { createMachine, fromCallback, type SnapshotFrom } from "xstate";
import {
  type AgentMachine,
  type AgentSettings,
  agentMachine,
  type LeaseRef,
} from "../../../src/machines/index.js";
import {
  errors,
  healthSettings,
  keySettings,
  leaseInput,
  leaseSettings,
  reproductionSettings,
  treasurySettings,
} from "../../support/machine-fixtures.js";
import type { MachineModel } from "../../support/model-paths.js";

export const agentSettings: AgentSettings = {
  resources: leaseInput.resources,
  lease: leaseSettings,
  health: healthSettings,
  keys: keySettings,
  treasury: treasurySettings,
  reproduction: { ...reproductionSettings, enabled: false },
  minimumFundingUakt: "5000000",
  shutdownTimeoutMs: 1000,
};

export const loadedIdentity = {
  identity: {
    agentId: "agent-test",
    akash: "akash1agent",
    evm: "0x0000000000000000000000000000000000000001",
    npub: "npub1agent",
    nostrPubkey: "00",
  },
  keys: {
    akash: { index: 0, rotatedAt: 0 },
    payment: { index: 0, rotatedAt: 0 },
    identity: { index: 0, rotatedAt: 0 },
    encryption: { index: 0, rotatedAt: 0 },
  },
  children: [],
};

const lease: LeaseRef = {
  dseq: "1001",
  gseq: 1,
  oseq: 1,
  provider: "akash1provider",
  priceUact: "300",
  hostUri: "https://p:8443",
  uris: ["relay"],
  manifestVersion: "a1b2",
  resources: leaseInput.resources,
};

/** Children that take every event and do nothing: the agent's own routing is what this model tests. */
const inert = createMachine({});
export const inertChildren = {
  lease: inert,
  health: inert,
  keys: inert,
  treasury: inert,
  reproduction: inert,
  alertOutbox: fromCallback(() => undefined),
};

function serialize(snapshot: SnapshotFrom<AgentMachine>): string {
  const c = snapshot.context;
  return JSON.stringify({
    value: snapshot.value,
    status: snapshot.status,
    loaded: c.loaded !== null,
    terminate: c.terminateLeaseOnShutdown,
    leaseTerminated: c.leaseTerminated,
    alerted: Math.min(c.alerts, 1),
  });
}

export const agentModel: MachineModel<AgentMachine> = {
  machine: agentMachine,
  input: { settings: agentSettings },
  serialize,
  events: () => [
    { type: "AGENT.SHUTDOWN", terminateLease: true },
    { type: "AGENT.SHUTDOWN", terminateLease: false },
    { type: "LEASE.RETRY" },
    {
      type: "LEASE.UPGRADE",
      image: "ghcr.io/akash-agent/agent-relay:0.2.0",
      currentImage: "ghcr.io/akash-agent/agent-relay:0.1.0",
      source: "admin",
      monitorMs: 1_000,
      rollbackWindowMs: 1_000,
    },
    { type: "HEALTH.REASSESS" },
    { type: "LEASE.ACTIVE", lease },
    { type: "LEASE.TERMINATED", dseq: "1001" },
    { type: "LEASE.SCALE_CAPPED", resource: "memory" },
    { type: "HEALTH.PASSED", at: 1, escrowRunwayHours: 40 },
    { type: "HEALTH.SERVICES_FAILED", reason: "down" },
    { type: "HEALTH.PROVIDER_DEGRADED", provider: lease.provider, reason: "slow" },
    { type: "HEALTH.PROVIDER_OFFLINE", provider: lease.provider },
    { type: "HEALTH.CERTIFICATE_EXPIRED", provider: lease.provider },
    { type: "HEALTH.INGRESS_UNREACHABLE", provider: lease.provider, failedChecks: 1, reason: "unresolved" },
    { type: "HEALTH.RESOURCES_EXHAUSTED", resource: "disk", usagePercent: 90 },
    { type: "LEASE.ESCROW_LOW", runwayHours: 3, observedAt: 1 },
    { type: "LEASE.RECLAIMING", provider: lease.provider, deadline: 10 },
    { type: "LEASE.CLOSED", reason: "closed", deploymentOpen: true },
    {
      type: "TREASURY.FUNDS_REQUESTED",
      requestId: "r1",
      purpose: "escrow_top_up",
      dseq: "1001",
      amountUact: "1000",
      replyTo: "lease",
    },
    { type: "TREASURY.WALLET_LOW", runwayDays: 2 },
    { type: "TREASURY.SWAP_NEEDED", reason: "akt short" },
    { type: "TREASURY.SWAPPED", receivedUakt: "10000000" },
    { type: "TREASURY.REQUEST_GRANTED", requestId: "r1", replyTo: "lease" },
    { type: "TREASURY.REQUEST_REFUSED", requestId: "r1", replyTo: "lease", reason: "cap" },
    { type: "CHILD.HEARTBEAT", childId: "agent-child", at: 5 },
    { type: "REPRODUCTION.SPAWN", requestId: "spawn-1", role: "replica", region: null },
    { type: "REPRODUCTION.RETIRE", requestId: "retire-1", childId: "agent-child" },
    { type: "KEYS.MOVE_NEEDED", owner: "akash1next", fromOwner: "akash1old", reason: "rotation" },
    { type: "KEYS.SCHEDULE", rotating: ["akash"] },
    {
      type: "SIBLINGS.WATCH",
      settings: {
        silenceThresholdMs: 600_000,
        heartbeatCheckMs: 60_000,
        relays: [],
        parentNpub: "npub1parent",
      },
    },
    { type: "ALERT.RAISED", source: "lease", severity: "critical", title: "t", message: "m" },
  ],
  outcomes: {
    loadIdentity: [
      { label: "ok", done: loadedIdentity },
      { label: "no keystore", error: errors.fatal },
    ],
    awaitFunding: [
      { label: "funded", done: { uakt: "9000000", at: 1 } },
      { label: "failed", error: errors.fatal },
    ],
    waitFor: [{ label: "elapsed", done: undefined }],
  },
  realActors: inertChildren,
};
