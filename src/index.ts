export { AgentError, UsageError } from "./errors.js";
