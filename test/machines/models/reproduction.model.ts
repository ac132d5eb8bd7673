import type { SnapshotFrom } from "xstate";
import {
  type ChildPlan,
  type LeaseRef,
  leaseMachine,
  type ReproductionMachine,
  reproductionMachine,
} from "../../../src/machines/index.js";
import { errors, reproductionSettings } from "../../support/machine-fixtures.js";
import type { MachineModel } from "../../support/model-paths.js";
import { pendingActors } from "../../support/pending-actors.js";

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
const child = { childId: "agent-child", akash: "akash1child", npub: "npub1child" };
const childLease: LeaseRef = {
  dseq: "2002",
  gseq: 1,
  oseq: 1,
  provider: "akash1provider",
  priceUact: "300",
  hostUri: "https://p:8443",
  uris: ["child.ingress"],
  manifestVersion: "c0ffee",
  resources: decision.childConfig.resources,
};

function serialize(snapshot: SnapshotFrom<ReproductionMachine>): string {
  const c = snapshot.context;
  return JSON.stringify({
    value: snapshot.value,
    decision: c.decision !== null,
    child: c.child !== null,
    childLease: c.childLease !== null,
    pending: c.pendingRequestId !== null,
    children: c.children.map((known) => `${known.childId}:${known.silent}`),
    due: c.nextEvaluationAt !== null,
  });
}

export const reproductionModel: MachineModel<ReproductionMachine> = {
  machine: reproductionMachine,
  input: { agentId: "agent-test", settings: reproductionSettings },
  // A child agent that its parent did not allow to reproduce.
  otherInputs: [{ agentId: "agent-child", settings: { ...reproductionSettings, isChild: true } }],
  serialize,
  events: (snapshot) => {
    const pending = snapshot.context.pendingRequestId;
    return [
      { type: "REPRODUCTION.EVALUATE_NOW" },
      { type: "CHILD.HEARTBEAT", childId: child.childId, at: 9_000 },
      ...(pending
        ? [
            { type: "TREASURY.REQUEST_GRANTED" as const, requestId: pending },
            { type: "TREASURY.REQUEST_REFUSED" as const, requestId: pending, reason: "cap" },
          ]
        : []),
      // What the child's lease actor tells its parent while it deploys.
      {
        type: "TREASURY.FUNDS_REQUESTED",
        requestId: "agent-child:deposit:2002",
        purpose: "deployment_deposit",
        dseq: "2002",
        amountUact: "500000",
        replyTo: "child-lease",
      },
      { type: "LEASE.ACTIVE", lease: childLease },
      { type: "LEASE.FAILED", reason: "no bids", attempts: 2 },
      { type: "ALERT.RAISED", source: "lease", severity: "critical", title: "t", message: "m" },
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
    registerChild: [
      { label: "ok", done: { at: 2_000 } },
      { label: "failed", error: errors.retryable },
    ],
    activateChild: [
      { label: "ok", done: { at: 3_000 } },
      { label: "failed", error: errors.provider },
    ],
    checkHeartbeats: [
      { label: "all alive", done: { at: 4_000, silent: [] } },
      { label: "child silent", done: { at: 4_000, silent: [child.childId] } },
      { label: "failed", error: errors.retryable },
    ],
    waitUntil: [{ label: "due", done: undefined }],
    waitFor: [{ label: "elapsed", done: undefined }],
  },
  realActors: {
    childLease: leaseMachine.provide({
      actors: pendingActors([
        "generateSdl",
        "createDeployment",
        "collectBids",
        "evaluateBids",
        "createLease",
        "confirmLease",
        "sendManifest",
        "awaitServices",
        "planMigration",
        "closeLease",
        "closeDeployments",
        "waitFor",
      ]),
    }),
  },
};
