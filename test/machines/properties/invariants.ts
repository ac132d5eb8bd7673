import type { AnyActorRef, AnyMachineSnapshot, EventObject } from "xstate";
import type { AgentContext } from "../../../src/machines/agent/agent.context.js";
import type { HealthContext } from "../../../src/machines/health/health.context.js";
import { AGENT_CHILDREN, keyNames } from "../../../src/machines/index.js";
import { type KeyRotationContext, scheduledKeys } from "../../../src/machines/keys/keys.context.js";
import type {
  CloseDeploymentsInput,
  CreateDeploymentInput,
} from "../../../src/machines/lease/lease.actors.js";
import type { LeaseContext } from "../../../src/machines/lease/lease.context.js";
import type { ReproductionContext } from "../../../src/machines/reproduction/reproduction.context.js";
import { toEffectFailure, type WaitUntilInput } from "../../../src/machines/shared/index.js";
import type { TreasuryContext } from "../../../src/machines/treasury/treasury.context.js";
import type { FuzzWorld, Invariant } from "../../support/fuzz-runner.js";
import type { Invocation } from "../../support/recorded-actors.js";
import { machineActors } from "../../support/state-validity.js";

function ensure(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

/** Inputs of the running invoked actors of `snapshot` whose src is `src`. */
function runningInputs<TInput>(snapshot: AnyMachineSnapshot, src: string): TInput[] {
  return Object.values(snapshot.children as Record<string, AnyActorRef | undefined>)
    .filter((child): child is AnyActorRef => child?.src === src)
    .map((child) => (child.getSnapshot() as { input: TInput }).input);
}

const unique = (values: string[]) => new Set(values).size === values.length;

const deployingSteps = [
  "requesting_bids",
  "evaluating_bids",
  "accepting_bid",
  "creating_lease",
  "deploying",
  "starting",
] as const;

/** Deployments the chain closed by itself (LEASE.CLOSED with the deployment gone), by world. */
const closedByChain = new WeakMap<FuzzWorld, Set<string>>();

/** Notes the deployment a `LEASE.CLOSED` closes when the deployment is gone too and an active lease takes it. */
export function noteChainClosure(event: EventObject, lease: AnyMachineSnapshot, world: FuzzWorld): void {
  if (event.type !== "LEASE.CLOSED" || (event as { deploymentOpen?: boolean }).deploymentOpen !== false)
    return;
  const dseq = (lease.context as LeaseContext).lease?.dseq;
  if (!lease.matches("active") || !dseq) return;
  const closed = closedByChain.get(world) ?? new Set<string>();
  closed.add(dseq);
  closedByChain.set(world, closed);
}

function isClose(invocation: Invocation): boolean {
  // The lease takes a fatal failure to close as final (the deployment is gone or cannot be closed).
  const { result } = invocation;
  return (
    invocation.src === "closeDeployments" &&
    result !== undefined &&
    ("done" in result || toEffectFailure(result.error).kind === "fatal")
  );
}

/**
 * Deployments the lease actor `leaseSession` may have created (its createDeployment succeeded, or
 * its outcome is unknown) that are still open: neither closed by it (closeDeployments done, or
 * given up as fatal), nor closed by a later createDeployment (which closes every deployment of the
 * agent not in its `keepDseqs`, when the contract has that field), nor closed by the chain.
 */
function openDeployments(world: FuzzWorld, leaseSession: string): string[] {
  const own = world.recorded.invocations.filter((invocation) => invocation.ancestors[0] === leaseSession);
  const open = new Set<string>();
  const chain = closedByChain.get(world) ?? new Set<string>();
  for (const invocation of own) {
    if (invocation.src === "createDeployment" && invocation.status !== "error") {
      const input = invocation.input as CreateDeploymentInput & { keepDseqs?: string[] };
      if (invocation.status === "done" && input.keepDseqs) {
        for (const dseq of open) if (!input.keepDseqs.includes(dseq)) open.delete(dseq);
      }
      open.add(input.deployment.dseq);
    }
    if (isClose(invocation)) {
      for (const dseq of (invocation.input as CloseDeploymentsInput).dseqs) open.delete(dseq);
    }
  }
  return [...open].filter((dseq) => !chain.has(dseq));
}

const heldDseqs = (c: LeaseContext) =>
  new Set([c.deployment?.dseq, c.lease?.dseq, c.previous?.dseq].filter((dseq) => dseq !== undefined));

export const leaseInvariant: Invariant = (snapshot, _previous, world, self) => {
  const c = snapshot.context as LeaseContext;
  const inAny = (states: readonly string[]) => states.some((state) => snapshot.matches(state));
  ensure(c.attempt >= 1, `attempt ${c.attempt} < 1`);
  ensure(c.retries >= 0, `retries ${c.retries} < 0`);
  ensure(unique(c.excludedProviders), `excluded providers repeat: ${c.excludedProviders.join(", ")}`);
  if (inAny(deployingSteps)) {
    ensure(c.attempt <= c.settings.maxAttempts, `deploying attempt ${c.attempt} > ${c.settings.maxAttempts}`);
    ensure(c.deployment !== null, "deploying without a deployment");
  }
  if (inAny(["accepting_bid", "creating_lease", "deploying", "starting"])) {
    ensure(c.chosenBid !== null, "accepting/starting a lease without a chosen bid");
  }
  if (inAny(["deploying", "starting"])) ensure(c.hostUri !== null, "sending a manifest without a host");
  if (snapshot.matches("active")) ensure(c.lease !== null, "active without a lease");
  if (snapshot.matches("migrating")) ensure(c.lease !== null, "migrating without a lease to leave");
  if (snapshot.matches({ recovery: "restarting" })) ensure(c.lease !== null, "restarting without a lease");
  if (snapshot.matches("draining")) ensure(c.previous !== null, "draining without a previous lease");
  if (snapshot.matches({ requesting_bids: "funding" })) {
    ensure(
      c.pendingRequest?.purpose === "deployment_deposit" && c.pendingRequest.dseq === c.deployment?.dseq,
      `funding without a deposit request for dseq ${c.deployment?.dseq}`,
    );
  }
  if (snapshot.matches({ active: "renewing" })) {
    ensure(
      c.pendingRequest?.purpose === "escrow_top_up" && c.pendingRequest.dseq === c.lease?.dseq,
      `renewing without a top-up request for dseq ${c.lease?.dseq}`,
    );
  }
  // No orphaned deployment: where the lease comes to rest, every deployment it created is closed or
  // held; once terminated, every one is closed. (Between rests a later createDeployment may still
  // close one the contract lets it clean up.)
  const atRest = ["undeployed", { active: "monitoring" }, { failed: "idle" }].some((state) =>
    snapshot.matches(state as never),
  );
  if (atRest || snapshot.status === "done") {
    const held = snapshot.status === "done" ? new Set<string>() : heldDseqs(c);
    const orphans = openDeployments(world, self.sessionId).filter((dseq) => !held.has(dseq));
    ensure(
      orphans.length === 0,
      `deployment ${orphans.join(", ")} was created, then neither kept nor closed`,
    );
  }
  // Only a shutdown may close the deployment the agent runs on.
  if (!snapshot.matches("terminating") && c.lease) {
    for (const { dseqs } of runningInputs<{ dseqs: string[] }>(snapshot, "closeDeployments")) {
      ensure(
        !dseqs.includes(c.lease.dseq),
        `closes deployment ${c.lease.dseq}, which serves the agent (lease with ${c.lease.provider})`,
      );
    }
  }
};

export const healthInvariant: Invariant = (snapshot) => {
  const c = snapshot.context as HealthContext;
  const { track } = c;
  ensure(
    [track.unreachable, track.unresponsive, track.servicesDown, c.checks].every((n) => n >= 0),
    "a counter went negative",
  );
  if (snapshot.matches("idle")) ensure(c.target === null, "idle while watching a lease");
  else ensure(c.target !== null, `${String(snapshot.value)} without a lease to watch`);
  if (snapshot.matches("waiting")) {
    ensure(c.nextCheckAt !== null, "waiting without a next check time");
    const waits = runningInputs<WaitUntilInput>(snapshot, "waitUntil").map((input) => input.until);
    ensure(
      waits.length === 1 && waits[0] === c.nextCheckAt,
      `waits until ${waits.join(",")} instead of nextCheckAt ${c.nextCheckAt}`,
    );
  }
};

export const keysInvariant: Invariant = (snapshot, previous) => {
  const c = snapshot.context as KeyRotationContext;
  for (const name of keyNames) {
    const key = c.keys[name];
    ensure(
      key.dueAt >= key.rotatedAt,
      `${name} is due (${key.dueAt}) before it was rotated (${key.rotatedAt})`,
    );
    const before = (previous?.context as KeyRotationContext | undefined)?.keys[name];
    if (before) {
      ensure(key.index >= before.index, `${name} index went back from ${before.index} to ${key.index}`);
      ensure(key.index <= before.index + 1, `${name} index jumped from ${before.index} to ${key.index}`);
    }
  }
  const { rotation } = c;
  if (snapshot.matches("scheduled")) {
    ensure(rotation === null, "scheduled with a rotation in progress");
    const due = Math.min(...scheduledKeys(c.settings).map((name) => c.keys[name].dueAt));
    const waits = runningInputs<WaitUntilInput>(snapshot, "waitUntil").map((input) => input.until);
    ensure(waits.length === 1 && waits[0] === due, `waits until ${waits.join(",")} instead of ${due}`);
  }
  if (snapshot.matches("disabled")) {
    ensure(scheduledKeys(c.settings).length === 0, "disabled with keys to rotate");
    ensure(runningInputs<WaitUntilInput>(snapshot, "waitUntil").length === 0, "disabled but waiting");
  }
  if (snapshot.matches("rotating") || snapshot.matches("rolling_back")) {
    ensure(rotation !== null, `${JSON.stringify(snapshot.value)} without a rotation`);
  }
  if (snapshot.matches("rotating") && rotation) {
    ensure(
      rotation.fromIndex === c.keys[rotation.key].index && rotation.toIndex === rotation.fromIndex + 1,
      `rotation ${rotation.fromIndex}→${rotation.toIndex} of ${rotation.key} at index ${c.keys[rotation.key].index}`,
    );
  }
  if (snapshot.matches({ rotating: "grace" })) {
    const waits = runningInputs<WaitUntilInput>(snapshot, "waitUntil").map((input) => input.until);
    ensure(
      rotation?.graceEndsAt !== null && waits[0] === rotation?.graceEndsAt,
      `grace waits until ${waits.join(",")} instead of graceEndsAt ${rotation?.graceEndsAt}`,
    );
  }
};

const payingEffects = new Set(["topUpEscrow", "fundChild"]);
const busyServing = ["ensuring_act", "topping_up", "funding_child", "backing_off"];

export const treasuryInvariant: Invariant = (snapshot, _previous, world: FuzzWorld) => {
  const c = snapshot.context as TreasuryContext;
  const cap = c.settings.dailySpendCapUsd + 1e-9;
  ensure(c.spent.usd >= 0, `spent ${c.spent.usd} < 0`);
  // Escrow refunds credited back free room again: the cap bounds the spend less those credits.
  const net = c.spent.usd - (c.spent.creditUsd ?? 0);
  ensure(
    net <= cap,
    `spent $${c.spent.usd} (less $${c.spent.creditUsd ?? 0} refunded) today, over the daily cap of $${c.settings.dailySpendCapUsd}`,
  );
  const answered = c.answers.map((answer) => answer.requestId);
  ensure(unique(answered), `a request was answered twice: ${answered.join(", ")}`);
  const queued = c.queue.map((request) => request.requestId);
  ensure(unique(queued), `a request is queued twice: ${queued.join(", ")}`);
  ensure(
    queued.every((id) => id !== c.current?.requestId && !answered.includes(id)),
    "a queued request is already being served or answered",
  );
  const busy = busyServing.some((state) => snapshot.matches({ serving: state }));
  ensure(
    busy === (c.current !== null),
    `serving ${JSON.stringify(snapshot.value)} with current ${c.current?.requestId}`,
  );
  // Never paid twice: each request's deposit or child funding succeeds at most once.
  const paid = world.recorded.invocations
    .filter((invocation) => payingEffects.has(invocation.src) && invocation.status === "done")
    .map((invocation) => (invocation.input as { key: string }).key);
  ensure(unique(paid), `a request was paid twice: ${paid.join(", ")}`);
};

export const reproductionInvariant: Invariant = (snapshot, _previous, world, self) => {
  const c = snapshot.context as ReproductionContext;
  const mine = (invocation: Invocation) => invocation.ancestors[0] === self.sessionId;
  // No orphan: a child whose deployment was made is in the family, being registered, or retired.
  const deployed = world.recorded.invocations
    .filter(
      (invocation) => mine(invocation) && invocation.src === "deployChild" && invocation.status === "done",
    )
    .map((invocation) => (invocation.input as { child: { childId: string } }).child.childId);
  const retired = new Set(
    world.recorded.invocations
      .filter((invocation) => mine(invocation) && invocation.src === "retireChild")
      .map((invocation) => (invocation.input as { child: { childId: string } }).child.childId),
  );
  for (const childId of deployed) {
    ensure(
      c.children.some((child) => child.childId === childId) ||
        c.child?.childId === childId ||
        retired.has(childId),
      `child ${childId} was deployed but is neither in the family nor retired: an orphan`,
    );
  }
  // One birth per child: a child is deployed again only after a failed attempt.
  ensure(
    c.children.length <= c.settings.maxChildren,
    `${c.children.length} children, more than the ${c.settings.maxChildren} allowed`,
  );
  ensure(unique(c.children.map((child) => child.childId)), "a child is registered twice");
  ensure(
    c.birthAttempts <= c.settings.maxBirthAttempts,
    `${c.birthAttempts} birth attempts, more than the ${c.settings.maxBirthAttempts} allowed`,
  );
  const may = c.settings.enabled && (!c.settings.isChild || c.settings.childrenMayReproduce);
  if (!may) {
    ensure(snapshot.matches({ cycle: "disabled" }), "reproducing although not allowed to");
  }
  if (snapshot.matches({ cycle: "allocating_funds" })) {
    ensure(c.child !== null && c.pendingRequestId !== null, "allocating funds without a child or request");
  }
  if (snapshot.matches({ cycle: "deploying_child" })) {
    ensure(c.child !== null && c.decision !== null, "deploying a child without its identity or decision");
  }
  if (snapshot.matches({ cycle: "registering" })) {
    ensure(c.child !== null && c.birth !== null, "registering a child without where it runs");
  }
  if (snapshot.matches({ cycle: "waiting" }))
    ensure(c.nextEvaluationAt !== null, "waiting without a due time");
  if (!snapshot.matches({ watch: "idle" }) && !snapshot.matches({ watch: "waiting" }))
    ensure(c.children.length > 0 || c.resurrecting !== null, "watching heartbeats of no child");
  // Exactly one resurrection at a time, of a child being resurrected, never of one being retired.
  ensure(
    (c.resurrecting !== null) === snapshot.matches({ watch: "resurrecting" }),
    "resurrecting flag and state disagree",
  );
  const resurrections = runningInputs<{ child: { childId: string } }>(snapshot, "resurrectChild");
  ensure(resurrections.length <= 1, "two resurrections at once");
  if (c.retiring) {
    ensure(c.retiring.childId !== c.resurrecting, "resurrecting a child being retired");
  }
};

/** Alerts each agent delivered, by world (the agent property test fills it). */
export const deliveredAlerts = new WeakMap<FuzzWorld, unknown[]>();

export const agentInvariant: Invariant = (snapshot, _previous, world) => {
  const c = snapshot.context as AgentContext;
  if (snapshot.matches("awaiting_funding") || snapshot.matches("running")) {
    ensure(c.loaded !== null, "past booting without an identity");
  }
  if (snapshot.matches("running")) {
    const children = snapshot.children as Record<string, AnyActorRef | undefined>;
    for (const id of AGENT_CHILDREN) {
      if (id === "lease" && c.leaseTerminated) continue;
      ensure(children[id] !== undefined, `running without its ${id} child`);
    }
  }
  if (snapshot.matches({ running: "shutting_down" })) {
    ensure(c.terminateLeaseOnShutdown && !c.leaseTerminated, "waits for a lease that needs no closing");
  }
  const delivered = deliveredAlerts.get(world);
  if (delivered && snapshot.status === "active") {
    ensure(delivered.length === c.alerts, `${c.alerts} alerts raised, ${delivered.length} delivered`);
  }
};

/** The agent's invariants, and: while its lease is active, the health monitor watches that very lease. */
export const agentWatchesItsLease: Invariant = (snapshot, previous, world, self) => {
  agentInvariant(snapshot, previous, world, self);
  const children = snapshot.children as Record<string, AnyActorRef | undefined>;
  const lease = children.lease?.getSnapshot() as AnyMachineSnapshot | undefined;
  const health = children.health?.getSnapshot() as AnyMachineSnapshot | undefined;
  if (!lease || !health || lease.status !== "active" || !lease.matches("active")) return;
  const serving = (lease.context as LeaseContext).lease;
  const target = (health.context as HealthContext).target;
  ensure(
    target !== null && target.dseq === serving?.dseq && target.provider === serving.provider,
    `the lease serves ${serving?.dseq}@${serving?.provider} but health watches ${target ? `${target.dseq}@${target.provider}` : "nothing"}`,
  );
};

export const allInvariants: Record<string, Invariant> = {
  agent: agentInvariant,
  lease: leaseInvariant,
  health: healthInvariant,
  keys: keysInvariant,
  treasury: treasuryInvariant,
  reproduction: reproductionInvariant,
};
