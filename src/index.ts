/**
 * The package entry for hosts that embed the agent: the statecharts (provide your own actors with
 * `machine.provide({ actors })`), the actor implementations over the real services, the pure
 * domain, the config schema, the store and the devnet.
 */
export { type AgentConfig, configSchema, loadConfig } from "./config/index.js";
export * from "./devnet/index.js";
export * from "./domain/index.js";
export { AgentError, UsageError } from "./errors.js";
export { createLogger, createRedactor, type Logger } from "./logging/index.js";
export * from "./machines/index.js";
