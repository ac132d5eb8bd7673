import { createActor, fromCallback } from "xstate";
import type { ActorSettings } from "../actors/agent-services.js";
import type { Resources } from "../domain/index.js";
import type { HealthSettings, LeaseSettings } from "../machines/index.js";
import { healthMachine, leaseMachine } from "../machines/index.js";
import { DAY_MS, type Market } from "./market-model.js";
import { MarketWorld, type WorldTotals } from "./market-world.js";
import { type SimulatedAgentEvent, simulatedAgentMachine } from "./simulated-agent.machine.js";
import { type BidChoice, createSimulatedEffects } from "./simulated-effects.js";
import { SimulationClock } from "./simulation-clock.js";

export const STRATEGIES = ["policy", "cheapest", "neverMigrate"] as const;
export type StrategyName = (typeof STRATEGIES)[number];

/** How far the never-migrate baseline lets a provider stay silent before it calls the lease lost ([E]: the helm monitor's ~24 h). */
export const LOST_AFTER_MS = DAY_MS;

export interface AgentUnderTest {
  resources: Resources;
  lease: LeaseSettings;
  health: HealthSettings;
  actor: ActorSettings;
  maxPriceUact: string;
}

export interface StrategyOutcome extends WorldTotals {
  strategy: StrategyName;
  /** Deployment flows the lease gave up on (LEASE.FAILED): the real agent waits for the operator then. */
  failedFlows: number;
}

export interface RunOptions {
  onDay?: (day: number) => void;
  /** Default true: skip health checks that cannot find anything (see SimulatedEffectSettings). */
  skipQuietChecks?: boolean;
}

/** How a strategy differs from the agent as configured. */
interface StrategySetup {
  bidChoice: BidChoice;
  lease: LeaseSettings;
  health: HealthSettings;
  movesOnProviderTrouble: boolean;
}

function strategySetup(
  strategy: StrategyName,
  agent: AgentUnderTest,
  maxBidsPerOrder: number,
): StrategySetup {
  const asConfigured: StrategySetup = {
    bidChoice: "scored",
    lease: agent.lease,
    health: agent.health,
    movesOnProviderTrouble: true,
  };
  switch (strategy) {
    case "policy":
      return asConfigured;
    case "cheapest":
      // Always the cheapest bid of the order: every bid, so the whole bid window, is waited for.
      return { ...asConfigured, bidChoice: "cheapest", lease: { ...agent.lease, minBids: maxBidsPerOrder } };
    case "neverMigrate":
      // Provider trouble never reaches the lease, and a silent provider is reported only once the
      // lease counts as lost.
      return {
        ...asConfigured,
        health: {
          ...agent.health,
          failuresBeforeAlarm: Math.max(
            agent.health.failuresBeforeAlarm,
            Math.ceil(LOST_AFTER_MS / agent.health.intervalMs),
          ),
        },
        movesOnProviderTrouble: false,
      };
  }
}

/**
 * Runs one strategy over the market for its whole span: a fresh world and clock, the real lease and
 * health machines with the simulated effects, driven until the last day ends.
 */
export async function runStrategy(
  market: Market,
  strategy: StrategyName,
  agent: AgentUnderTest,
  options: RunOptions = {},
): Promise<StrategyOutcome> {
  const onDay = options.onDay;
  const clock = new SimulationClock(0);
  const world = new MarketWorld(market, clock);
  const setup = strategySetup(strategy, agent, market.params.maxBidsPerOrder);
  const effects = createSimulatedEffects(world, clock, {
    // The cheapest-bid baseline sees every bid of the order: it never evaluates early.
    actor: strategy === "cheapest" ? { ...agent.actor, bidSettleBlocks: 0 } : agent.actor,
    maxPriceUact: agent.maxPriceUact,
    bidChoice: setup.bidChoice,
    health: setup.health,
    skipQuietChecks: options.skipQuietChecks ?? true,
  });
  let failedFlows = 0;
  const worldActor = fromCallback<SimulatedAgentEvent>(({ receive, sendBack }) => {
    receive((event) => {
      if (event.type === "ALERT.RAISED") world.noteAlert();
      if (event.type === "LEASE.FAILED") failedFlows++;
      if (event.type !== "TREASURY.FUNDS_REQUESTED") return;
      // The simulated treasury always pays, one block later.
      clock.schedule(clock.now() + market.params.txMs, () => {
        if (event.purpose === "escrow_top_up") world.deposit(event.dseq, Number(event.amountUact));
        sendBack({ type: "TREASURY.REQUEST_GRANTED", requestId: event.requestId, at: clock.now() });
      });
    });
  });
  const machine = simulatedAgentMachine.provide({
    actors: {
      world: worldActor,
      lease: leaseMachine.provide({ actors: effects.lease }),
      health: healthMachine.provide({ actors: effects.health }),
    },
  });
  const actor = createActor(machine, {
    input: {
      agentId: `sim-${strategy}`,
      resources: agent.resources,
      lease: setup.lease,
      health: setup.health,
      movesOnProviderTrouble: setup.movesOnProviderTrouble,
    },
  });
  let failure: unknown = null;
  actor.subscribe({ error: (error) => (failure ??= error) });
  actor.start();
  for (let day = 1; day <= market.days && failure === null; day++) {
    await clock.runUntil(day * DAY_MS, (from, to) => world.account(from, to));
    onDay?.(day);
    // A machine that broke (an action or guard threw) would make the rest of the figures meaningless.
    for (const [id, child] of Object.entries(actor.getSnapshot().children)) {
      const snapshot = child?.getSnapshot() as { status: string; error?: unknown } | undefined;
      if (snapshot?.status === "error")
        failure ??= new Error(`the ${id} actor failed`, { cause: snapshot.error });
    }
  }
  actor.stop();
  if (failure !== null) throw failure;
  return { ...world.finish(), strategy, failedFlows };
}
