import { type DestinationStream, type Logger, pino } from "pino";
import pretty from "pino-pretty";
import { createRedactor, type Redactor } from "./redaction.js";

export type { Logger } from "pino";

export interface LoggerOptions {
  level?: string;
  /** JSON lines (machine-readable) instead of the human-readable form. */
  json?: boolean;
  /** Where lines go; defaults to stderr, so stdout stays free for command output. */
  destination?: DestinationStream;
  /** The secret strings to scrub from every line (asked on each write). */
  secrets?: () => Iterable<string>;
  /** Force colour on or off for the human-readable form (defaults to whether stderr is a TTY). */
  colorize?: boolean;
}

/**
 * The agent's logger: structured pino records with a redaction layer in two places, so a secret
 * cannot reach a line: values under secret-named keys are censored before serialisation, and the
 * final serialised line is scrubbed of every known secret, mnemonic-like word run and nsec.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const redactor: Redactor = createRedactor(options.secrets);
  const destination = options.json
    ? (options.destination ?? pino.destination({ fd: 2, sync: true }))
    : pretty({
        destination: options.destination ?? 2,
        sync: true,
        colorize: options.colorize ?? process.stderr.isTTY === true,
        translateTime: "SYS:HH:MM:ss.l",
        ignore: "pid,hostname",
      });
  return pino(
    {
      level: options.level ?? "info",
      base: undefined,
      formatters: { log: (record) => redactor.value(record) },
      serializers: { err: (error: unknown) => redactor.value(error) },
      hooks: { streamWrite: (line) => redactor.text(line) },
    },
    destination,
  );
}
