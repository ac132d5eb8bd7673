import type { AgentConfig } from "../config/index.js";
import { deploymentProfiles, maxPricePerBlockUact } from "../domain/index.js";
import { actorSettingsFromConfig, agentSettingsFromConfig } from "../runtime/agent-settings.js";
import { generateMarket, type PricedResources, targetPricePerBlock } from "./market-model.js";
import { DEFAULT_MARKET_PARAMS, type MarketParams } from "./market-params.js";
import {
  type AgentUnderTest,
  runStrategy,
  STRATEGIES,
  type StrategyName,
  type StrategyOutcome,
} from "./run-strategy.js";
import { SIM_AUDITOR } from "./simulated-effects.js";

export interface SimulationOptions {
  days: number;
  providers: number;
  seed: number;
  /** The agent's settings: its scoring weights, health thresholds, bidding and escrow rules. */
  config: AgentConfig;
  params?: MarketParams;
  /** Default true; false runs every health check (slower, same figures). */
  skipQuietChecks?: boolean;
  /** Called after each simulated day of each strategy. */
  onProgress?: (progress: { strategy: StrategyName; day: number; days: number }) => void;
}

/** One strategy's figures, as `simulate --json` prints them. */
export interface StrategyFigures {
  /** Share of the run's time the service answered, 0..1. */
  availability: number;
  /** uact paid to providers over the run: an integer, as a decimal string (the codebase's uact convention). */
  costUact: string;
  /** Times the service came up on a new lease after the first (moves of every kind, including redeploys). */
  migrations: number;
  /** Periods without service after it first came up. */
  incidents: number;
}

export interface SimulationReport {
  days: number;
  seed: number;
  policy: StrategyFigures;
  baselines: { cheapest: StrategyFigures; neverMigrate: StrategyFigures };
}

export interface SimulationRun {
  report: SimulationReport;
  /** Everything measured, for the table (downtime, alerts, failed flows). */
  outcomes: Record<StrategyName, StrategyOutcome>;
  targetPricePerBlock: number;
  maxPriceUact: string;
}

export function pricedResources(config: AgentConfig, agent: AgentUnderTest): PricedResources {
  const services = deploymentProfiles(agent.resources, config.agent.sdlProfile);
  const volumes = services.flatMap((service) => service.volumes);
  return {
    cpuUnits: services.reduce((sum, service) => sum + service.cpuUnits, 0),
    memoryGi: services.reduce((sum, service) => sum + service.memoryGi, 0),
    ephemeralGi: volumes
      .filter((volume) => volume.persistentMount === null)
      .reduce((s, v) => s + v.sizeGi, 0),
    persistentGi: volumes
      .filter((volume) => volume.persistentMount !== null)
      .reduce((s, v) => s + v.sizeGi, 0),
    endpoints: 1,
  };
}

/** The agent as its config makes it, on a chain with the market's block time. */
export function agentUnderTest(config: AgentConfig, params: MarketParams): AgentUnderTest {
  const settings = agentSettingsFromConfig(config, { blockSeconds: params.blockSeconds });
  return {
    resources: settings.resources,
    lease: settings.lease,
    health: settings.health,
    actor: actorSettingsFromConfig(config, {
      blockSeconds: params.blockSeconds,
      trustedAuditors: [SIM_AUDITOR],
    }),
    maxPriceUact: maxPricePerBlockUact({
      targetUsdPerDay: config.budget.targetUsdPerDay,
      actUsd: config.budget.actUsd,
    }).toString(),
  };
}

function figures(outcome: StrategyOutcome): StrategyFigures {
  const total = outcome.upMs + outcome.downMs;
  return {
    availability: total === 0 ? 0 : Math.round((outcome.upMs / total) * 1e6) / 1e6,
    costUact: String(Math.round(outcome.costUact)),
    migrations: outcome.moves,
    incidents: outcome.incidents,
  };
}

/**
 * Runs the agent's policy and the two baselines (always the cheapest bid; never migrate) over one
 * market drawn from the seed. The same options always give the same report.
 */
export async function simulate(options: SimulationOptions): Promise<SimulationRun> {
  const params = options.params ?? DEFAULT_MARKET_PARAMS;
  const agent = agentUnderTest(options.config, params);
  const target = targetPricePerBlock(pricedResources(options.config, agent), params);
  const market = generateMarket({
    seed: options.seed,
    days: options.days,
    providers: options.providers,
    params,
    targetPricePerBlock: target,
  });
  const outcomes = {} as Record<StrategyName, StrategyOutcome>;
  for (const strategy of STRATEGIES) {
    outcomes[strategy] = await runStrategy(market, strategy, agent, {
      onDay: (day) => options.onProgress?.({ strategy, day, days: options.days }),
      ...(options.skipQuietChecks === undefined ? {} : { skipQuietChecks: options.skipQuietChecks }),
    });
  }
  return {
    report: {
      days: options.days,
      seed: options.seed,
      policy: figures(outcomes.policy),
      baselines: { cheapest: figures(outcomes.cheapest), neverMigrate: figures(outcomes.neverMigrate) },
    },
    outcomes,
    targetPricePerBlock: target,
    maxPriceUact: agent.maxPriceUact,
  };
}
