export { type ConfigField, configFields, findConfigField } from "./config-fields.js";
export { type LoadConfigOptions, loadConfig } from "./load-config.js";
export {
  type AgentConfig,
  configSchema,
  type NetworkEndpoints,
  type NetworkName,
  networkNames,
} from "./schema.js";
