export { createLogger, type Logger, type LoggerOptions } from "./logger.js";
export { createRedactor, REDACTED, type Redactor } from "./redaction.js";
