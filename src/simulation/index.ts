export { type EnduranceOptions, type EnduranceReport, type MemberReport, runEndurance } from "./endurance.js";
export { enduranceTable } from "./endurance-table.js";
export { generateMarket, type Market, type SimProvider } from "./market-model.js";
export { DEFAULT_MARKET_PARAMS, type MarketParams } from "./market-params.js";
export { STRATEGIES, type StrategyName, type StrategyOutcome } from "./run-strategy.js";
export {
  type SimulationOptions,
  type SimulationReport,
  type SimulationRun,
  type StrategyFigures,
  simulate,
} from "./simulate.js";
