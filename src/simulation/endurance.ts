import { createActor, fromCallback } from "xstate";
import type { AgentConfig } from "../config/index.js";
import { initialHealthContext } from "../machines/health/health.context.js";
import { partitionPlan, reconnectDelayMs } from "../machines/health/health.reconnect.js";
import type { HealthSettings, KeyName } from "../machines/index.js";
import { healthMachine, keyNames, keyRotationMachine, leaseMachine } from "../machines/index.js";
import type { LeaseContext } from "../machines/lease/lease.context.js";
import { agentSettingsFromConfig } from "../runtime/agent-settings.js";
import { type EnduranceAgentEvent, enduranceAgentMachine } from "./endurance-agent.machine.js";
import { createEnduranceEffects, type SimulatedKeystore } from "./endurance-effects.js";
import {
  type IncidentKind,
  IncidentLog,
  type IncidentSummary,
  type IncidentWindow,
} from "./endurance-incidents.js";
import {
  addPriceSpikes,
  DEFAULT_ENDURANCE_FAULTS,
  type EnduranceFaults,
  enduranceParams,
  type PriceSpike,
  rpcOutages,
} from "./endurance-market.js";
import { DAY_MS, generateMarket, type Interval, targetPricePerBlock } from "./market-model.js";
import { DEFAULT_MARKET_PARAMS } from "./market-params.js";
import { MemberWorld, SpendCap } from "./member-world.js";
import { SeededRandom } from "./seeded-random.js";
import { agentUnderTest, pricedResources } from "./simulate.js";
import { SimulationClock } from "./simulation-clock.js";

export interface EnduranceOptions {
  days: number;
  agents: number;
  providers: number;
  seed: number;
  config: AgentConfig;
  faults?: EnduranceFaults;
  /** Each member's cap: this multiple of its deployment's 90-day… (run-length) cost at the providers' default price. */
  capFactor?: number;
  /** Default true; false runs every health check (slower, same figures). */
  skipQuietChecks?: boolean;
  onProgress?: (progress: { day: number; days: number }) => void;
}

/** One member's figures. */
export interface MemberReport {
  agentId: string;
  /** Share of the run's time its service answered (from its first deployment on), 0..1. */
  availability: number;
  downtimeMinutes: number;
  /** uact paid to providers. */
  spentUact: number;
  capUact: number;
  /** uact deposited into escrow and refunded on closes (the cap counts deposits less refunds). */
  depositedUact: number;
  refundedUact: number;
  capRefusals: number;
  moves: number;
  /** Leases it took from a provider whose price was spiked then (a lease keeps its price for life). */
  leasesAtSpikedPrice: number;
  /** Open deployments the lease machine no longer holds, at the worst day's end and at the end. */
  orphanedMax: number;
  orphanedAtEnd: number;
  /** Days whose end found an orphan. */
  orphanDays: number[];
  keyRotations: Record<KeyName, number>;
  keyRotationFailures: number;
  /** Deployments of a revoked Akash key still open at its revocation (closed by it). */
  sweptByRevoke: number;
  /** Deployment flows the lease gave up on (LEASE.FAILED): the agent waits for a human then. */
  humanActionsNeeded: number;
  incidents: IncidentSummary;
}

export interface EnduranceReport {
  days: number;
  agents: number;
  providers: number;
  seed: number;
  members: MemberReport[];
  market: {
    providerFailures: number;
    reclaims: number;
    darkProviders: number;
    priceSpikes: PriceSpike[];
    rpcOutages: Interval[];
  };
  targetPricePerBlock: number;
  maxPriceUact: string;
}

const MINUTE_MS = 60_000;

/** From an RPC outage's start, the longest the health monitor can take to say the chain is unreachable. */
export function chainEscalationMs(health: HealthSettings): { earliest: number; latest: number } {
  let context = { ...initialHealthContext({ settings: health }), failedChecks: 0 };
  let delays = 0;
  for (;;) {
    context = { ...context, failedChecks: (context.failedChecks ?? 0) + 1 };
    if (partitionPlan(context).action.kind === "escalate") break;
    delays += reconnectDelayMs(context);
  }
  return { earliest: delays, latest: delays + health.intervalMs };
}

interface Member {
  agentId: string;
  world: MemberWorld;
  keystore: SimulatedKeystore;
  incidents: IncidentLog;
  actor: ReturnType<typeof createActor<typeof enduranceAgentMachine>>;
  failedFlows: number;
  rotations: Record<KeyName, number>;
  rotationFailures: number;
  orphanedMax: number;
  orphanDays: number[];
  /** The provider trouble windows still open, by the provider they are about. */
  troubles: { window: IncidentWindow; provider: string; until: number | null }[];
  downSince: number | null;
  everUp: boolean;
}

function leaseContextOf(member: Member): LeaseContext | null {
  const lease = member.actor.getSnapshot().children.lease;
  return (lease?.getSnapshot().context as LeaseContext | undefined) ?? null;
}

/**
 * Open deployments other than the one the agent serves from: while the lease is settled (active and
 * monitoring) every other one is an orphan; while a flow is under way (a move, a rebid), so is every
 * one the lease machine holds no reference to (it would never close it).
 */
function orphansOf(member: Member): string[] {
  const lease = member.actor.getSnapshot().children.lease?.getSnapshot();
  const context = (lease?.context as LeaseContext | undefined) ?? null;
  const settled = lease?.matches({ active: "monitoring" }) === true;
  const held = new Set(
    (settled
      ? [context?.lease?.dseq]
      : [context?.lease?.dseq, context?.previous?.dseq, context?.deployment?.dseq]
    ).filter((dseq): dseq is string => dseq !== undefined),
  );
  return member.world.openDseqs().filter((dseq) => !held.has(dseq));
}

/**
 * The 90-day family endurance run on the market simulator (the devnet cannot run 90 days: 1.3 M
 * blocks): `agents` members, each with the real lease, health and key-rotation machines and policy,
 * on one shared simulated market and chain, with provider failures, reclaims, price spikes, RPC
 * outages and scheduled key rotations, and no human action. Deterministic for a seed.
 */
export async function runEndurance(options: EnduranceOptions): Promise<EnduranceReport> {
  const faults = options.faults ?? DEFAULT_ENDURANCE_FAULTS;
  const params = enduranceParams(DEFAULT_MARKET_PARAMS, faults);
  const agent = agentUnderTest(options.config, params);
  const settings = agentSettingsFromConfig(options.config, { blockSeconds: params.blockSeconds });
  const target = targetPricePerBlock(pricedResources(options.config, agent), params);
  const market = generateMarket({
    seed: options.seed,
    days: options.days,
    providers: options.providers,
    params,
    targetPricePerBlock: target,
  });
  const spikes = addPriceSpikes(market, faults);
  const outages = rpcOutages(options.seed, options.days, faults);
  const spiked = (provider: string, at: number) => {
    const day = Math.floor(at / DAY_MS);
    return spikes.some((spike) => spike.provider === provider && spike.fromDay <= day && day < spike.toDay);
  };
  const clock = new SimulationClock(0);
  const blocks = (options.days * DAY_MS) / (params.blockSeconds * 1000);
  const capUact = Math.round(
    (options.capFactor ?? 1.5) * target * blocks + 2 * Number(agent.lease.initialDepositUact),
  );
  const health = agent.health;
  const hysteresisMs = health.failuresBeforeAlarm * health.intervalMs;
  const escalation = chainEscalationMs(health);
  const remindAfterMs = options.config.alerts?.remindAfterMs ?? DAY_MS;
  const graceMs = 15 * MINUTE_MS;

  // The chain's outages are instants on the clock, so no quiet stretch of health checks skips one.
  for (const outage of outages) {
    clock.schedule(outage.start, () => {});
    clock.schedule(outage.end, () => {});
  }

  const members: Member[] = [];
  for (let index = 0; index < options.agents; index++) {
    const agentId = `member${index + 1}`;
    const cap = new SpendCap(capUact);
    const world = new MemberWorld(market, clock, cap, outages, 100_000 * (index + 1), spiked);
    const keystore: SimulatedKeystore = { agentId, akashIndex: 0, sweptByRevoke: 0 };
    const effects = createEnduranceEffects(
      world,
      clock,
      {
        actor: agent.actor,
        maxPriceUact: agent.maxPriceUact,
        bidChoice: "scored",
        health,
        skipQuietChecks: options.skipQuietChecks ?? true,
      },
      keystore,
    );
    const incidents = new IncidentLog(remindAfterMs, graceMs);
    // Keys were last rotated at staggered times before the run, so rotations fall all through it.
    const stagger = SeededRandom.stream(options.seed, "keys", index);
    const keys = Object.fromEntries(
      keyNames.map((name) => [
        name,
        { index: 0, rotatedAt: -Math.round(stagger.next() * settings.keys.intervalDays[name] * DAY_MS) },
      ]),
    ) as Record<KeyName, { index: number; rotatedAt: number }>;
    const member = {
      agentId,
      world,
      keystore,
      incidents,
      failedFlows: 0,
      rotations: { akash: 0, payment: 0, identity: 0, encryption: 0 },
      rotationFailures: 0,
      orphanedMax: 0,
      orphanDays: [],
      troubles: [],
      downSince: null,
      everUp: false,
    } as unknown as Member;
    const grant = (requestId: string, sendBack: (event: EnduranceAgentEvent) => void, pay: () => void) => {
      const attempt = () => {
        // The treasury's transaction waits for the chain like every other.
        if (world.chainDown()) {
          clock.schedule(clock.now() + MINUTE_MS, attempt);
          return;
        }
        pay();
        sendBack({ type: "TREASURY.REQUEST_GRANTED", requestId, at: clock.now() });
      };
      clock.schedule(clock.now() + params.txMs, attempt);
    };
    const worldActor = fromCallback<EnduranceAgentEvent>(({ receive, sendBack }) => {
      receive((event) => {
        switch (event.type) {
          case "ALERT.RAISED":
            world.noteAlert();
            incidents.alert(clock.now(), event);
            return;
          case "LEASE.FAILED":
            member.failedFlows++;
            return;
          case "KEYS.ROTATED":
            member.rotations[event.key]++;
            return;
          case "KEYS.ROTATION_FAILED":
            member.rotationFailures++;
            return;
          case "TREASURY.FUNDS_REQUESTED": {
            const amount = Number(event.amountUact);
            // The grant's spend limit is what the chain enforces: a deposit beyond it is refused.
            if (event.purpose !== "child_funding" && !cap.allows(amount)) {
              cap.refusals++;
              clock.schedule(clock.now() + params.txMs, () =>
                sendBack({
                  type: "TREASURY.REQUEST_REFUSED",
                  requestId: event.requestId,
                  reason: `the deposit of ${amount} uact is beyond the spend limit left (${Math.floor(cap.remainingUact())} uact)`,
                  cause: "cap",
                }),
              );
              return;
            }
            grant(event.requestId, sendBack, () => {
              if (event.purpose === "escrow_top_up") world.deposit(event.dseq, amount);
            });
            return;
          }
          default:
            return;
        }
      });
    });
    const machine = enduranceAgentMachine.provide({
      actors: {
        world: worldActor,
        lease: leaseMachine.provide({ actors: effects.lease }),
        health: healthMachine.provide({ actors: effects.health }),
        keys: keyRotationMachine.provide({ actors: effects.keys }),
      },
    });
    member.actor = createActor(machine, {
      input: {
        agentId,
        resources: agent.resources,
        lease: agent.lease,
        health,
        keys: {
          agentId,
          settings: { ...settings.keys, rotating: keyNames },
          keys,
        },
      },
    });
    members.push(member);
  }

  // ── the world's troubles, as each member meets them ──────────────────────────────────────────
  const servingProvider = (member: Member) => leaseContextOf(member)?.lease?.provider ?? null;
  const troubleAt = (kind: IncidentKind, provider: string, lengthMs: number | null, detail: string) => {
    const at = clock.now();
    for (const member of members) {
      if (servingProvider(member) !== provider) continue;
      const short = lengthMs !== null && lengthMs < hysteresisMs - health.intervalMs;
      if (short) continue;
      // A spell that begins and ends inside an RPC outage cannot be seen: the policy draws no verdict
      // while the chain is unreachable (its own incident, alerted "Chain unreachable"), so it is not
      // one the agent must alert on.
      const hidden =
        lengthMs !== null && outages.some((outage) => outage.start <= at && at + lengthMs <= outage.end);
      const required = !hidden && (lengthMs === null || lengthMs >= hysteresisMs + health.intervalMs);
      const window = member.incidents.open({
        kind,
        start: at,
        required,
        detail: `${detail} on ${provider}`,
        subject: provider,
      });
      member.troubles.push({ window, provider, until: lengthMs === null ? null : at + lengthMs });
    }
  };
  let providerFailures = 0;
  let reclaims = 0;
  let darkProviders = 0;
  for (const provider of market.providers) {
    for (const failure of provider.nodeFailures) {
      providerFailures++;
      clock.schedule(failure.at, () => troubleAt("provider_failure", provider.address, null, "node failure"));
    }
    for (const reclaim of provider.reclaims) {
      reclaims++;
      clock.schedule(reclaim.at, () => troubleAt("reclaim", provider.address, null, "reclaim"));
    }
    if (provider.darkAt !== null) {
      darkProviders++;
      clock.schedule(provider.darkAt, () => troubleAt("provider_dark", provider.address, null, "gone dark"));
    }
    for (const spell of provider.outages.filter((outage) => outage.start >= 0)) {
      clock.schedule(spell.start, () =>
        troubleAt(
          "outage",
          provider.address,
          spell.end - spell.start,
          `${Math.round((spell.end - spell.start) / MINUTE_MS)} min outage`,
        ),
      );
    }
    for (const spell of provider.degraded.filter((degraded) => degraded.start >= 0)) {
      clock.schedule(spell.start, () =>
        troubleAt(
          "degraded",
          provider.address,
          spell.end - spell.start,
          `${Math.round((spell.end - spell.start) / MINUTE_MS)} min degraded`,
        ),
      );
    }
  }
  for (const outage of outages) {
    const length = outage.end - outage.start;
    if (length < escalation.earliest) continue;
    for (const member of members) {
      member.incidents.open({
        kind: "rpc_outage",
        start: outage.start,
        end: outage.end,
        required: length >= escalation.latest,
        detail: `${Math.round(length / MINUTE_MS)} min RPC outage`,
        subject: "chain",
      });
    }
  }

  /** Closes what is over for the member at `at`; notes the start and end of its downtime. */
  const observe = (member: Member, from: number, to: number) => {
    member.world.account(from, to);
    const serving = member.world.servingLease(from);
    if (serving) {
      member.everUp = true;
      if (member.downSince !== null) {
        const length = from - member.downSince;
        if (length >= hysteresisMs - health.intervalMs) {
          member.incidents.open({
            kind: "downtime",
            start: member.downSince,
            end: from,
            required: length >= hysteresisMs + health.intervalMs,
            detail: `${Math.round(length / MINUTE_MS)} min without service`,
            subject: "service",
          });
        }
        member.downSince = null;
      }
    } else if (member.everUp && member.downSince === null) {
      member.downSince = from;
    }
    member.troubles = member.troubles.filter((trouble) => {
      const left = serving !== null && serving.provider !== trouble.provider;
      const over = trouble.until !== null && from >= trouble.until && serving !== null;
      if (!left && !over) return true;
      trouble.window.end = from;
      return false;
    });
  };

  let failure: unknown = null;
  for (const member of members) {
    member.actor.subscribe({ error: (error) => (failure ??= error) });
    member.actor.start();
  }
  for (let day = 1; day <= options.days && failure === null; day++) {
    await clock.runUntil(day * DAY_MS, (from, to) => {
      for (const member of members) observe(member, from, to);
    });
    for (const member of members) {
      const orphans = orphansOf(member);
      if (orphans.length > 0) member.orphanDays.push(day);
      member.orphanedMax = Math.max(member.orphanedMax, orphans.length);
      for (const [id, child] of Object.entries(member.actor.getSnapshot().children)) {
        const snapshot = child?.getSnapshot() as { status: string; error?: unknown } | undefined;
        if (snapshot?.status === "error")
          failure ??= new Error(`the ${id} actor of ${member.agentId} failed`, { cause: snapshot.error });
      }
    }
    options.onProgress?.({ day, days: options.days });
  }
  // Read while the machines still run: a stopped actor no longer shows what its lease holds.
  const orphansAtEnd = new Map(members.map((member) => [member, orphansOf(member).length]));
  for (const member of members) member.actor.stop();
  if (failure !== null) throw failure;

  const endMs = options.days * DAY_MS;
  return {
    days: options.days,
    agents: options.agents,
    providers: options.providers,
    seed: options.seed,
    members: members.map((member) => {
      const totals = member.world.finish();
      const total = totals.upMs + totals.downMs;
      const orphanedAtEnd = orphansAtEnd.get(member) ?? 0;
      return {
        agentId: member.agentId,
        availability: total === 0 ? 0 : Math.round((totals.upMs / total) * 1e6) / 1e6,
        downtimeMinutes: Math.round((totals.downMs / MINUTE_MS) * 10) / 10,
        spentUact: Math.round(totals.costUact),
        capUact,
        depositedUact: Math.round(member.world.cap.depositedUact),
        refundedUact: Math.round(member.world.cap.refundedUact),
        capRefusals: member.world.cap.refusals,
        moves: totals.moves,
        leasesAtSpikedPrice: member.world.leasesAtSpikedPrice,
        orphanedMax: Math.max(member.orphanedMax, orphanedAtEnd),
        orphanedAtEnd,
        orphanDays: member.orphanDays,
        keyRotations: member.rotations,
        keyRotationFailures: member.rotationFailures,
        sweptByRevoke: member.keystore.sweptByRevoke,
        humanActionsNeeded: member.failedFlows,
        incidents: member.incidents.summary(endMs),
      };
    }),
    market: { providerFailures, reclaims, darkProviders, priceSpikes: spikes, rpcOutages: outages },
    targetPricePerBlock: target,
    maxPriceUact: agent.maxPriceUact,
  };
}
