import type { Logger } from "../../logging/index.js";
import { type AlertChannel, type OutgoingAlert, routesTo } from "./alert-channel.js";

/**
 * Sends one alert straight to the channels, without the outbox: for the one alert the outbox cannot
 * hold, that the store itself stopped taking writes (its row could not be written either). Best effort:
 * one attempt per channel within `timeoutMs`, no retries, no record; failures are logged.
 */
export async function sendWithoutOutbox(
  channels: readonly AlertChannel[],
  alert: OutgoingAlert,
  options: { readonly timeoutMs: number; readonly logger: Logger },
): Promise<void> {
  await Promise.all(
    channels
      .filter((channel) => routesTo(channel, alert.severity))
      .map(async (channel) => {
        try {
          await withTimeout(channel.send(alert), options.timeoutMs, channel.name);
        } catch (error) {
          options.logger.warn(
            { channel: channel.name, alert: alert.title, reason: (error as Error).message },
            "could not send an alert without the outbox",
          );
        }
      }),
  );
}

function withTimeout(sending: Promise<void>, ms: number, name: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not take it within ${ms} ms`)), ms);
  });
  return Promise.race([sending, timeout]).finally(() => clearTimeout(timer));
}
