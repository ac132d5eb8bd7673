import type { SnapshotFrom } from "xstate";
import {
  type ChildPlan,
  type ReproductionMachine,
  reproductionMachine,
} from "../../../src/machines/index.js";
import { errors, reproductionSettings } from "../../support/machine-fixtures.js";
import type { MachineModel } from "../../support/model-paths.js";

const decision: ChildPlan = {
  trigger: "redundancy",
  reason: "only 1 agent, need 3",
  urgency: "high",
  childConfig: {
    role: "replica",
    specialization: null,
    region: null,
    resources: { cpuUnits: 2, memoryGi: 4, storageGi: 100 },
    fundingUact: "3000000",
  },
};
const child = { childId: "agent-child", akash: "akash1child", npub: "npub1child", index: 0 };
const location = { dseq: "2002", provider: "akash1provider", uri: "child.ingress:80", generation: 1 };

function serialize(snapshot: SnapshotFrom<ReproductionMachine>): string {
  const c = snapshot.context;
  return JSON.stringify({
    value: snapshot.value,
    decision: c.decision !== null,
    child: c.child !== null,
    birth: c.birth !== null,
    attempts: c.birthAttempts,
    pending: c.pendingRequestId !== null,
    children: c.children.map(
      (known) => `${known.childId}:${known.silent}:${known.lastResurrectionAt !== null}`,
    ),
    retiring: c.retiring?.childId ?? null,
    queue: c.retireQueue.length,
    resurrecting: c.resurrecting,
    renew: c.grantsToRenew ?? [],
    renewing: c.renewing ?? null,
  });
}

export const reproductionModel: MachineModel<ReproductionMachine> = {
  machine: reproductionMachine,
  input: { agentId: "agent-test", settings: reproductionSettings },
  // A child agent that its parent did not allow to reproduce.
  otherInputs: [{ agentId: "agent-child", settings: { ...reproductionSettings, isChild: true } }],
  serialize,
  // With a child in the family, the cycle's own paths are covered once it is back off (quota full):
  // exploring further births on top of every watch and retirement state only multiplies paths.
  stopWhen: (snapshot) =>
    snapshot.context.children.length > 0 &&
    (snapshot.matches({ cycle: "backing_off" }) || snapshot.context.child !== null),
  events: (snapshot) => {
    const pending = snapshot.context.pendingRequestId;
    return [
      { type: "REPRODUCTION.EVALUATE_NOW" },
      { type: "REPRODUCTION.SPAWN", requestId: "spawn-1", role: "replica", region: null },
      { type: "REPRODUCTION.RETIRE", requestId: "retire-1", childId: child.childId },
      { type: "CHILD.HEARTBEAT", childId: child.childId, at: 9_000, generation: 1 },
      ...(pending
        ? [
            { type: "TREASURY.REQUEST_GRANTED" as const, requestId: pending },
            { type: "TREASURY.REQUEST_REFUSED" as const, requestId: pending, reason: "cap" },
          ]
        : []),
    ];
  },
  outcomes: {
    evaluateReproduction: [
      { label: "reproduce", done: { at: 1_000, decision, reason: decision.reason } },
      { label: "no", done: { at: 1_000, decision: null, reason: "no trigger fired" } },
      { label: "failed", error: errors.retryable },
    ],
    createChildIdentity: [
      { label: "ok", done: child },
      { label: "failed", error: errors.retryable },
    ],
    deployChild: [
      { label: "ok", done: { ...location, at: 2_000 } },
      { label: "failed", error: errors.provider },
    ],
    registerChild: [
      { label: "ok", done: { at: 2_500 } },
      { label: "failed", error: errors.retryable },
    ],
    checkHeartbeats: [
      { label: "all alive", done: { at: 4_000, silent: [] } },
      { label: "child silent", done: { at: 700_000, silent: [child.childId] } },
      { label: "grants expiring", done: { at: 4_000, silent: [], grantsExpiring: [child.childId] } },
      { label: "failed", error: errors.retryable },
    ],
    resurrectChild: [
      {
        label: "resurrected",
        done: { outcome: "resurrected", at: 701_000, ...location, dseq: "3003", generation: 2 },
      },
      { label: "alive", done: { outcome: "alive", at: 701_000, reason: "its lease is still there" } },
      { label: "failed", error: errors.provider },
    ],
    renewChildGrants: [
      { label: "ok", done: { at: 4_500 } },
      { label: "failed", error: errors.retryable },
    ],
    retireChild: [
      { label: "ok", done: { at: 5_000 } },
      { label: "failed", error: errors.retryable },
    ],
    waitUntil: [{ label: "due", done: undefined }],
    waitFor: [{ label: "elapsed", done: undefined }],
  },
};
