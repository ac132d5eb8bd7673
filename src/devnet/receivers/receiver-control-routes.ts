import { z } from "zod";
import { type ControlRoute, controlRoute } from "../control-api.js";
import { ALERT_CHANNELS, type AlertReceiversControl } from "./receiver-types.js";

const NOT_RUNNING = "this devnet runs without the alert receivers (startDevnet({ receivers: false }))";
const channel = z.enum(ALERT_CHANNELS);

/** The control API's POST routes for the receivers' faults and records. Without receivers each answers 400. */
export function receiverControlRoutes(
  control: AlertReceiversControl | undefined,
): Record<string, ControlRoute> {
  const need = (): AlertReceiversControl => {
    if (!control) throw new Error(NOT_RUNNING);
    return control;
  };
  return {
    "POST /receivers/fail": controlRoute(
      z.object({
        channel: z.union([channel, z.literal("all")]).optional(),
        count: z.number().int().positive().optional(),
      }),
      async ({ channel: name, count }) => {
        need().failWith500(name === "all" ? undefined : name, count);
        return undefined;
      },
    ),
    "POST /receivers/clear": controlRoute(z.object({}).passthrough(), async () => {
      need().clearFaults();
      return undefined;
    }),
    "POST /received/clear": controlRoute(
      z.object({ channel: channel.optional() }),
      async ({ channel: name }) => {
        need().clearReceived(name);
        return undefined;
      },
    ),
  };
}

/** `GET /received/{channel}`: the JSON array of what that receiver accepted, oldest first. */
export function receivedReadRoutes(
  control: AlertReceiversControl | undefined,
): Record<string, () => unknown> {
  return Object.fromEntries(
    ALERT_CHANNELS.map((name) => [
      `GET /received/${name}`,
      () => {
        if (!control) throw new Error(NOT_RUNNING);
        return control.received(name);
      },
    ]),
  );
}
