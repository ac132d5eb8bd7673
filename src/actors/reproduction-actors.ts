import { fromPromise } from "xstate";
import {
  BASELINE_CHILD_METRICS,
  checkReproductionGates,
  EffectError,
  evaluateReproduction,
  type ReproductionRules,
  resourcesForTraffic,
  VIDEO_CHILD_METRICS,
} from "../domain/index.js";
import type {
  CheckHeartbeatsInput,
  CheckHeartbeatsOutput,
  ChildStepDone,
  ChildStepInput,
  CreateChildIdentityInput,
  DeployChildInput,
  DeployChildOutput,
  EvaluateReproductionInput,
  EvaluateReproductionOutput,
  RegisterChildInput,
  ResurrectChildOutput,
} from "../machines/reproduction/reproduction.actors.js";
import type { ChildIdentity, ChildPlan, ChildRecord } from "../machines/reproduction/reproduction.types.js";
import type { AgentServices } from "./agent-services.js";
import { createFamilyHeartbeatsActor } from "./family-heartbeats.js";
import type { FamilyOperations, MarketProvider } from "./family-operations.js";

const GI = 1024 ** 3;
const DAY_MS = 86_400_000;
/** A child's grants are renewed once less than this share of a grant period is left. */
const RENEW_WITHIN_SHARE_OF_PERIOD = 1 / 3;

/** Children the roster names: those that live (a retiring or retired child gets no sibling's secrets). */
const ROSTER_STATES = new Set(["active", "silent", "resurrecting"]);

/** The money side of the gates (config `budget.*` and `reproduction.childBudgetUact`). */
export interface ReproductionGateSettings {
  childBudgetUact: string;
  /** The deposit a child's first deployment needs: a budget under it could never deploy the child. */
  childFirstDepositUact: string;
  treasuryMinimumUsd: number;
  ownDailyCostUsd: number;
  ownRunwayDays: number;
  childAllocationCapUsd: number;
  actUsd: number;
  aktUsd: () => Promise<number>;
}

export interface ReproductionActorOptions {
  rules: ReproductionRules;
  gates: ReproductionGateSettings;
  /** The triggers that may fire (config `reproduction.triggers`). */
  triggers: readonly string[];
  /** When this agent started (the schedule's origin until its first child). */
  startedAt: number;
}

const notBuilt = () =>
  new EffectError(
    "fatal",
    "this agent has no family operations (it runs without its keystore's mnemonic or network): reproduction cannot act",
  );

/** Providers the child should not land on: the family's, and those in the family's regions when others exist. */
function providersToAvoid(
  market: MarketProvider[],
  family: { providers: string[]; regions: string[] },
): string[] {
  const avoid = new Set(family.providers);
  const regions = new Set(family.regions);
  const elsewhere = market.filter(
    (p) => !avoid.has(p.address) && (p.region === null || !regions.has(p.region)),
  );
  if (elsewhere.length > 0) {
    for (const provider of market)
      if (provider.region !== null && regions.has(provider.region)) avoid.add(provider.address);
  }
  return [...avoid];
}

function planFor(request: NonNullable<EvaluateReproductionInput["request"]>, fundingUact: string): ChildPlan {
  const metrics = request.role === "specialized" ? VIDEO_CHILD_METRICS : BASELINE_CHILD_METRICS;
  return {
    trigger: "operator",
    reason: `the operator asked for a ${request.role}${request.region ? ` in ${request.region}` : ""}`,
    urgency: "medium",
    childConfig: {
      role: request.role,
      specialization: request.role === "specialized" ? "video" : null,
      region: request.region,
      resources: resourcesForTraffic(metrics),
      fundingUact,
    },
  };
}

export function createReproductionActors(services: AgentServices, options: ReproductionActorOptions) {
  const { store } = services;
  const log = services.logger.child({ actor: "reproduction" });
  const family = () => {
    if (!services.family) throw notBuilt();
    return services.family;
  };

  /** The budget the treasury granted (its expiry read back from the chain), for `akash-agent family`. */
  const recordBudget = async (child: ChildIdentity, limitUact: string) => {
    const grants = services.childGrants ? await services.childGrants.childGrants(child.akash) : null;
    const expiresAt = grants?.deposit?.expiresAt ?? grants?.fee?.expiresAt;
    if (expiresAt === undefined || expiresAt === null) return;
    store.children.setBudget(child.childId, {
      limitUact,
      feeLimitUakt: services.settings.childFunding?.feeBudgetUakt ?? "0",
      expiresAt,
    });
  };

  /** Whether the children have not been told the current roster yet in this process (or it failed). */
  let rosterDue = true;
  /** The family roster to every living child; a failure is logged and tried again at the next check. */
  const publishRoster = async () => {
    const publish = services.family?.publishRoster;
    if (!publish) return;
    const members = store.children.list().flatMap((child) =>
      ROSTER_STATES.has(child.state) && child.index !== null
        ? [
            {
              index: child.index,
              childId: child.id,
              akash: child.addresses.akash ?? "",
              npub: child.addresses.nostr ?? "",
              bornAt: child.createdAt,
              dseq: child.dseq,
              provider: child.provider,
            },
          ]
        : [],
    );
    try {
      await publish(members);
      rosterDue = false;
      log.info({ members: members.map((member) => member.childId) }, "family roster published");
    } catch (error) {
      rosterDue = true;
      log.warn(
        { reason: error instanceof Error ? error.message : String(error) },
        "family roster not published: trying again at the next heartbeat check",
      );
    }
  };

  const familyPlaces = (children: ChildRecord[]) => {
    const own = family().ownPlace();
    return {
      providers: [
        ...(own.provider ? [own.provider] : []),
        ...children.flatMap((c) => (c.provider ? [c.provider] : [])),
      ],
      regions: [
        ...(own.region ? [own.region] : []),
        ...children.flatMap((c) => (c.region ? [c.region] : [])),
      ],
    };
  };

  /** The children whose grants (as the registry knows them) expire within the renewal window. */
  const grantsExpiring = (children: ChildRecord[], at: number): string[] => {
    const funding = services.settings.childFunding;
    if (!funding) return [];
    const renewBy = at + renewalWindowMs(funding.grantDays);
    return children
      .filter((child) => {
        const expiresAt = store.children.byId(child.childId)?.budget?.expiresAt;
        // A grant already lapsed cannot be renewed: its failure was alerted while it could.
        return expiresAt !== undefined && expiresAt > at && expiresAt < renewBy;
      })
      .map((child) => child.childId);
  };

  return {
    evaluateReproduction: fromPromise<EvaluateReproductionOutput, EvaluateReproductionInput>(
      async ({ input }) => {
        const at = services.now();
        const ops = family();
        if (BigInt(options.gates.childBudgetUact) < BigInt(options.gates.childFirstDepositUact)) {
          return {
            at,
            decision: null,
            reason: `reproduction.childBudgetUact (${options.gates.childBudgetUact}) is under a child's first deployment deposit (${options.gates.childFirstDepositUact} uact): raise it`,
          };
        }
        // A child is placed away from its parent: first the parent must know where it runs itself.
        if (ops.ownPlace().provider === null) {
          return {
            at,
            decision: null,
            reason: "this agent's own lease is not active yet: no child before it",
          };
        }
        const balances = await services.chain.balances();
        const aktUsd = await options.gates.aktUsd();
        const balanceUsd =
          (Number(balances.uact) / 1e6) * options.gates.actUsd + (Number(balances.uakt) / 1e6) * aktUsd;
        const market = await ops.marketProviders();
        const places = familyPlaces(input.children);
        const budgetUsd = (Number(options.gates.childBudgetUact) / 1e6) * options.gates.actUsd;
        const gates = (childDailyUsd: number) => ({
          quota: { activeChildren: input.children.length, maxChildren: Number.MAX_SAFE_INTEGER },
          treasury: {
            balanceUsd,
            minimumUsd: options.gates.treasuryMinimumUsd,
            ownDailyCostUsd: options.gates.ownDailyCostUsd,
            ownRunwayDays: options.gates.ownRunwayDays,
            childRunwayDays: budgetUsd / childDailyUsd,
            childAllocationCapUsd: options.gates.childAllocationCapUsd,
          },
          market: {
            onlineProviders: market.length,
            providersUsedByFamily: new Set(
              places.providers.filter((p) => market.some((m) => m.address === p)),
            ).size,
            recentBidsPerOrder: null,
          },
        });
        if (input.request) {
          const plan = planFor(input.request, options.gates.childBudgetUact);
          const specialized = input.request.role === "specialized";
          const daily = specialized ? options.rules.specialistUsdPerDay : options.rules.replicaUsdPerDay;
          const gate = checkReproductionGates(
            {
              reproduce: true,
              trigger: "redundancy",
              reason: plan.reason,
              urgency: "medium",
              childConfig: {
                role: input.request.role,
                specialization: specialized ? "video" : null,
                region: input.request.region,
                initialMetrics: specialized ? VIDEO_CHILD_METRICS : BASELINE_CHILD_METRICS,
                targetUsdPerDay: daily,
              },
            },
            gates(daily),
          );
          if (!gate.passed) return { at, decision: null, reason: `${gate.gate} gate: ${gate.reason}` };
          return { at, decision: plan, reason: plan.reason };
        }
        const outcome = evaluateReproduction(
          signalsOf(ops, input.children, at, options),
          gates(options.rules.replicaUsdPerDay),
          options.rules,
        );
        if (outcome.outcome === "no-trigger") return { at, decision: null, reason: outcome.reason };
        if (!options.triggers.includes(outcome.decision.trigger)) {
          return {
            at,
            decision: null,
            reason: `${outcome.decision.trigger} fired but is not in reproduction.triggers`,
          };
        }
        if (outcome.outcome === "blocked") {
          log.info(
            { gate: outcome.gate, reason: outcome.reason },
            "a reproduction trigger fired but a gate said no",
          );
          return {
            at,
            decision: null,
            reason: `${outcome.decision.trigger} fired; ${outcome.gate}: ${outcome.reason}`,
          };
        }
        const config = outcome.decision.childConfig;
        return {
          at,
          reason: outcome.decision.reason,
          decision: {
            trigger: outcome.decision.trigger,
            reason: outcome.decision.reason,
            urgency: outcome.decision.urgency,
            childConfig: {
              role: config.role,
              specialization: config.specialization,
              region: config.region,
              resources: resourcesForTraffic(config.initialMetrics),
              fundingUact: options.gates.childBudgetUact,
            },
          },
        };
      },
    ),

    createChildIdentity: fromPromise<ChildIdentity, CreateChildIdentityInput>(async ({ input }) => {
      const child = family().childIdentity(input.index);
      const known = store.children.byId(child.childId);
      // A birth resumed after a crash finds its child registered already: same index, same child.
      if (!known) {
        store.children.register({
          id: child.childId,
          index: child.index,
          addresses: {
            akash: child.akash,
            nostr: child.npub,
            ...(child.cronos ? { cronos: child.cronos } : {}),
          },
          role: input.role,
          region: input.region,
          state: "born",
        });
      } else if (known.state === "failed" || known.state === "retired") {
        throw new EffectError(
          "fatal",
          `child index ${child.index} (${child.childId}) was ${known.state} already: its identity is not reused`,
        );
      }
      log.info({ childId: child.childId, index: child.index, akash: child.akash }, "child identity derived");
      return child;
    }),

    deployChild: fromPromise<DeployChildOutput, DeployChildInput>(async ({ input, signal }) => {
      const ops = family();
      const market = await ops.marketProviders().catch(() => []);
      const places = familyPlaces([]);
      const avoidProviders = providersToAvoid(market, {
        providers: [...places.providers, ...input.avoidProviders],
        regions: [...places.regions, ...input.avoidRegions],
      });
      await recordBudget(input.child, input.plan.childConfig.fundingUact);
      store.children.setState(input.child.childId, "deploying");
      log.info(
        { childId: input.child.childId, avoid: avoidProviders },
        "deploying the child from its own account",
      );
      const location = await ops.deploy({
        key: input.key,
        child: input.child,
        plan: input.plan,
        avoidProviders,
        signal,
      });
      return { ...location, at: services.now() };
    }),

    registerChild: fromPromise<ChildStepDone, RegisterChildInput>(async ({ input }) => {
      const { child, location, plan } = input;
      store.children.register({
        id: child.childId,
        index: child.index,
        addresses: {
          akash: child.akash,
          nostr: child.npub,
          ...(child.cronos ? { cronos: child.cronos } : {}),
        },
        role: plan.childConfig.role,
        region: plan.childConfig.region,
      });
      store.children.recordLease(child.childId, location);
      store.children.setState(child.childId, "active");
      const at = services.now();
      store.children.noteHeartbeat(child.childId, at);
      await publishRoster();
      return { at };
    }),

    checkHeartbeats: fromPromise<CheckHeartbeatsOutput, CheckHeartbeatsInput>(async ({ input }) => {
      const at = services.now();
      const silent = input.children
        .filter((child) => (child.lastHeartbeatAt ?? child.activatedAt ?? 0) + input.silenceThresholdMs < at)
        .map((child) => child.childId);
      for (const child of input.children) {
        if (
          child.lastHeartbeatAt !== null &&
          store.children.byId(child.childId)?.lastHeartbeatAt !== child.lastHeartbeatAt
        ) {
          store.children.noteHeartbeat(child.childId, child.lastHeartbeatAt);
        }
        // Only a living child's record moves between active and silent: a check that started before a
        // retirement or a resurrection finished must not write over what that step recorded.
        const recorded = store.children.byId(child.childId)?.state;
        const state = silent.includes(child.childId) ? "silent" : "active";
        if ((recorded === "active" || recorded === "silent") && recorded !== state)
          store.children.setState(child.childId, state);
      }
      if (rosterDue) await publishRoster();
      return { at, silent, grantsExpiring: grantsExpiring(input.children, at) };
    }),

    renewChildGrants: fromPromise<ChildStepDone, ChildStepInput>(async ({ input }) => {
      const grants = services.childGrants;
      const funding = services.settings.childFunding;
      if (!grants || !funding) {
        throw new EffectError(
          "fatal",
          "renewing a child's grants needs the chain's grants and reproduction.grantDays: this host provides neither",
        );
      }
      const { child } = input;
      const at = services.now();
      const onChain = await grants.childGrants(child.akash);
      const renewBy = at + renewalWindowMs(funding.grantDays);
      const due = (grant: { expiresAt: number | null } | null) =>
        grant !== null && grant.expiresAt !== null && grant.expiresAt < renewBy;
      const budget = store.children.byId(child.childId)?.budget ?? null;
      /** The registry keeps the expiry the chain holds (whole seconds). */
      const noteExpiry = (expiresAt: number | null | undefined) => {
        if (budget && expiresAt && expiresAt !== budget.expiresAt)
          store.children.setBudget(child.childId, { ...budget, expiresAt });
      };
      if (onChain.deposit === null) {
        throw new EffectError(
          "fatal",
          `child ${child.childId}'s deposit grant is gone (expired or revoked): it can no longer be renewed; spawn a new child or retire this one`,
        );
      }
      if (!due(onChain.deposit) && !due(onChain.fee)) {
        // Renewed already (by a run before a crash) or never expiring.
        noteExpiry(onChain.deposit.expiresAt);
        return { at };
      }
      if (BigInt(onChain.deposit.remainingUact) === 0n) {
        throw new EffectError(
          "fatal",
          `child ${child.childId} has spent its whole budget (reproduction.childBudgetUact): its grants are left to expire; retire it or give it a new budget`,
        );
      }
      // The expiry chosen by the first try is kept, so a try again after a crash asks for the same grants.
      const earlier = store.intents.get(input.key)?.payload as { expiresAt?: unknown } | undefined;
      const expiresAt =
        typeof earlier?.expiresAt === "number" ? earlier.expiresAt : at + funding.grantDays * DAY_MS;
      const feeLeft = onChain.fee?.remainingUakt ?? funding.feeBudgetUakt;
      log.info(
        {
          childId: child.childId,
          remainingUact: onChain.deposit.remainingUact,
          feeLeftUakt: feeLeft,
          expiresAt,
        },
        "renewing a child's grants: what it may still spend, for another grant period",
      );
      await grants.grantChildBudget({
        key: input.key,
        child: child.akash,
        limitUact: onChain.deposit.remainingUact,
        // An allowance spent to the last uakt is granted one uakt, so the grant stays valid.
        feeLimitUakt: BigInt(feeLeft) > 0n ? feeLeft : "1",
        expiresAt,
      });
      noteExpiry((await grants.childGrants(child.akash)).deposit?.expiresAt);
      return { at: services.now() };
    }),

    resurrectChild: fromPromise<ResurrectChildOutput, ChildStepInput>(async ({ input, signal }) => {
      const ops = family();
      const market = await ops.marketProviders().catch(() => []);
      const places = familyPlaces([]);
      const avoidProviders = providersToAvoid(market, {
        providers: [...places.providers, ...(input.child.provider ? [input.child.provider] : [])],
        regions: places.regions,
      });
      store.children.setState(input.child.childId, "resurrecting");
      const result = await ops.resurrect({ key: input.key, child: input.child, avoidProviders, signal });
      const at = services.now();
      if (result.outcome === "alive") {
        store.children.setState(input.child.childId, "silent");
        log.info(
          { childId: input.child.childId, reason: result.reason },
          "the silent child's lease is still there: not resurrected",
        );
        return { outcome: "alive", at, reason: result.reason };
      }
      store.children.recordLease(input.child.childId, result);
      store.children.setState(input.child.childId, "active");
      store.children.noteHeartbeat(input.child.childId, at);
      await publishRoster();
      return { ...result, at };
    }),

    retireChild: fromPromise<ChildStepDone, ChildStepInput>(async ({ input, signal }) => {
      if (store.children.byId(input.child.childId)) store.children.setState(input.child.childId, "retiring");
      await family().retire({ key: input.key, child: input.child, signal });
      if (store.children.byId(input.child.childId)) store.children.setState(input.child.childId, "retired");
      await publishRoster();
      return { at: services.now() };
    }),

    watchFamilyHeartbeats: createFamilyHeartbeatsActor({ logger: services.logger }),
  };
}

function renewalWindowMs(grantDays: number): number {
  return grantDays * DAY_MS * RENEW_WITHIN_SHARE_OF_PERIOD;
}

function signalsOf(
  ops: FamilyOperations,
  children: ChildRecord[],
  now: number,
  options: ReproductionActorOptions,
) {
  const traffic = ops.traffic();
  const own = ops.ownPlace();
  const metrics = {
    eventsPerSecond: traffic?.eventsPerSecond ?? 0,
    activeConnections: traffic?.openConnections ?? 0,
    storageUsedGi: (traffic?.storedBytes ?? 0) / GI,
  };
  const lastReproductionAt = children.reduce<number | null>(
    (latest, child) =>
      child.activatedAt !== null && (latest === null || child.activatedAt > latest)
        ? child.activatedAt
        : latest,
    null,
  );
  return {
    now,
    metrics,
    resources: resourcesForTraffic(metrics),
    // The relay does not know its clients' regions: the geographic trigger stays quiet.
    connectionsByRegion: {},
    eventsByKind: { ...(traffic?.eventsByKind ?? {}) },
    family: {
      activeAgents: 1 + children.filter((child) => !child.silent).length,
      regions: [
        ...(own.region ? [own.region] : []),
        ...children.flatMap((c) => (c.region ? [c.region] : [])),
      ],
      specialists: children.filter((child) => child.role === "specialized").map(() => "video"),
    },
    lastReproductionAt,
    startedAt: options.startedAt,
  };
}
