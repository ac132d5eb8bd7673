import type { Logger } from "../../logging/index.js";
import {
  type AlertChannel,
  alertSeverityRank,
  type OutgoingSeverity,
  type RateLimitSettings,
} from "./alert-channel.js";

export interface ConsoleChannelOptions {
  readonly logger: Logger;
  readonly minSeverity: OutgoingSeverity;
  readonly rateLimit: RateLimitSettings;
}

/** The agent's own log: high and critical alerts at error level, the rest at warn. */
export function createConsoleChannel(options: ConsoleChannelOptions): AlertChannel {
  const log = options.logger.child({ channel: "alerts" });
  return {
    name: "console",
    minSeverity: options.minSeverity,
    rateLimit: options.rateLimit,
    async send(alert) {
      const line = {
        alert: alert.id,
        severity: alert.severity,
        source: alert.source,
        incident: alert.incident,
        ...(alert.resolves ? { resolved: true } : {}),
        detail: alert.message,
      };
      if (!alert.resolves && alertSeverityRank[alert.severity] >= alertSeverityRank.high)
        log.error(line, alert.title);
      else log.warn(line, alert.title);
    },
  };
}
