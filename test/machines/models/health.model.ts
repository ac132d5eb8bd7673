import type { SnapshotFrom } from "xstate";
import { type HealthMachine, type HealthReport, healthMachine } from "../../../src/machines/index.js";
import { errors, healthSettings } from "../../support/machine-fixtures.js";
import type { MachineModel } from "../../support/model-paths.js";

const target = {
  dseq: "1001",
  gseq: 1,
  oseq: 1,
  provider: "akash1provider",
  hostUri: "https://p:8443",
  uris: ["relay"],
};

const healthy: HealthReport = {
  at: 1_000,
  provider: { reachable: true, responsive: true },
  lease: { state: "active", reclaimDeadline: null, deploymentOpen: true },
  services: { ready: 3, total: 3 },
  usage: { memoryPercent: 40, diskPercent: 40, cpuPercent: 40 },
  escrowRunwayHours: 48,
  walletRunwayDays: 30,
};

const reports: Record<string, HealthReport> = {
  healthy,
  unreachable: { ...healthy, provider: { reachable: false, responsive: false } },
  slow: { ...healthy, provider: { reachable: true, responsive: false } },
  "services down": { ...healthy, services: { ready: 1, total: 3 } },
  "memory high": { ...healthy, usage: { memoryPercent: 97, diskPercent: 40, cpuPercent: 40 } },
  "escrow low": { ...healthy, escrowRunwayHours: 5, walletRunwayDays: 2 },
  reclaiming: { ...healthy, lease: { state: "reclaiming", reclaimDeadline: 9_000, deploymentOpen: true } },
  closed: { ...healthy, lease: { state: "closed", reclaimDeadline: null, deploymentOpen: true } },
  "certificate expired": {
    ...healthy,
    provider: { reachable: true, responsive: true, certificateExpired: true },
  },
  "ingress unresolved": { ...healthy, ingress: { unresolved: ["relay.ingress.test"] } },
};

function serialize(snapshot: SnapshotFrom<HealthMachine>): string {
  const { track, target: watched, nextCheckAt } = snapshot.context;
  const cap = (n: number) => Math.min(n, healthSettings.failuresBeforeAlarm);
  return JSON.stringify({
    value: snapshot.value,
    watching: watched !== null,
    due: nextCheckAt !== null,
    unreachable: cap(track.unreachable),
    unresponsive: cap(track.unresponsive),
    servicesDown: cap(track.servicesDown),
    ingressDown: Math.min(track.ingressDown ?? 0, 1),
    failedChecks: Math.min(snapshot.context.failedChecks ?? 0, 11),
    over: track.overThreshold.memory,
    reported: track.reported,
  });
}

export const healthModel: MachineModel<HealthMachine> = {
  machine: healthMachine,
  input: { settings: healthSettings },
  serialize,
  events: () => [
    { type: "HEALTH.WATCH", target },
    { type: "HEALTH.UNWATCH" },
    { type: "HEALTH.CHECK_NOW" },
    { type: "HEALTH.REASSESS" },
  ],
  outcomes: {
    checkHealth: [
      ...Object.entries(reports).map(([label, report]) => ({ label, done: report })),
      { label: "check failed", error: errors.retryable },
    ],
    waitUntil: [{ label: "due", done: undefined }],
    waitFor: [{ label: "elapsed", done: undefined }],
  },
};
