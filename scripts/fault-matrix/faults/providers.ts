import type { Fault, RowContext } from "../fault-types.js";
import { movedAway, short } from "../row-waits.js";

/** The provider the lease was on when the fault was injected. */
function baselineProvider(context: RowContext): string {
  const provider = context.baseline?.provider;
  if (!provider) throw new Error("the lease has no provider to fault");
  context.facts.set("provider", provider);
  return provider;
}

const moveCheck = async (context: RowContext) => {
  const provider = context.facts.get("provider");
  const footprint = await context.reader.footprint(context.owner);
  const still = footprint.activeLeases.filter((lease) => lease.provider === provider);
  return still.length > 0
    ? [`chain: a lease is still active on the faulted provider ${short(provider)}`]
    : [];
};

/** The faulted provider answers normally again. */
async function healProvider(context: RowContext): Promise<void> {
  const provider = context.facts.get("provider");
  if (provider) context.devnet.degradeProvider(provider, { mode: "healthy" });
}

export const providerOffline: Fault = {
  id: "provider-offline",
  name: "provider offline",
  where: "devnet provider: gateway and workloads gone (setProviderOnline false)",
  policy: "provider_offline (after failuresBeforeAlarm checks): migrate excluding it, high alert",
  expect: "move",
  phase: "while-active",
  async inject(context) {
    await context.devnet.setProviderOnline(baselineProvider(context), false);
  },
  async clear(context) {
    const provider = context.facts.get("provider");
    if (provider) await context.devnet.setProviderOnline(provider, true);
  },
  settle: movedAway,
  check: moveCheck,
};

export const providerDegraded: Fault = {
  id: "provider-degraded",
  name: "provider degraded",
  where: "devnet provider: every gateway answer 1.4 s late (degradeProvider slow), limit 0.7 s",
  policy: "provider_degraded (after degradedAfterFailures slow checks): migrate excluding it, medium alert",
  expect: "move",
  phase: "while-active",
  async inject(context) {
    context.devnet.degradeProvider(baselineProvider(context), { mode: "slow", delayMs: 1_400 });
  },
  clear: healProvider,
  settle: movedAway,
  check: moveCheck,
};

export const providerErrors: Fault = {
  id: "provider-errors",
  name: "provider answering errors",
  where: "devnet provider: /status 503, lease status 500 (degradeProvider failing)",
  policy: "provider unresponsive / services not ready: reconnect or restart once, then migrate",
  expect: "move",
  phase: "while-active",
  async inject(context) {
    context.devnet.degradeProvider(baselineProvider(context), { mode: "failing" });
  },
  clear: healProvider,
  settle: movedAway,
  check: moveCheck,
};

export const providerReclaiming: Fault = {
  id: "provider-reclaiming",
  name: "provider reclaiming",
  where: "devnet chain: lease state reclaiming, 120 s deadline (reclaimLease)",
  policy: "lease_reclaiming: migrate make-before-break to a new deployment, close the old one",
  expect: "move",
  phase: "while-active",
  async inject(context) {
    const baseline = context.baseline;
    if (!baseline?.dseq || !baseline.provider) throw new Error("no lease to reclaim");
    context.facts.set("provider", baseline.provider);
    await context.devnet.reclaimLease(
      { owner: context.owner, dseq: baseline.dseq, provider: baseline.provider },
      120_000,
    );
  },
  async clear() {},
  settle: movedAway,
};

export const providerClosesLease: Fault = {
  id: "provider-closes-lease",
  name: "provider closes the lease",
  where: "devnet chain: the provider's MsgCloseLease (closeLease)",
  policy:
    "lease_expired with the deployment open: the provider's close paused the group, so start it (MsgStartGroup) and rebid on its next order elsewhere",
  expect: "move",
  phase: "while-active",
  async inject(context) {
    const baseline = context.baseline;
    if (!baseline?.dseq || !baseline.provider) throw new Error("no lease to close");
    context.facts.set("provider", baseline.provider);
    await context.devnet.closeLease({
      owner: context.owner,
      dseq: baseline.dseq,
      provider: baseline.provider,
    });
  },
  async clear() {},
  settle: movedAway,
  check: moveCheck,
};

export const providerGarbage: Fault = {
  id: "provider-garbage",
  name: "provider answering garbage",
  where: "devnet provider: HTTP 200 with bodies of the wrong shape or not JSON (degradeProvider garbage)",
  policy: "an answer that cannot be read is no answer: provider unresponsive → reconnect, then migrate",
  expect: "move",
  phase: "while-active",
  async inject(context) {
    context.devnet.degradeProvider(baselineProvider(context), { mode: "garbage" });
  },
  clear: healProvider,
  settle: movedAway,
  check: moveCheck,
};
