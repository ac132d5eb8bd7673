import { z } from "zod";
import { type ControlRoute, controlRoute } from "../control-api.js";
import type { ArweaveDevnetControl } from "./arweave-types.js";

const NOT_RUNNING = "this devnet runs without the Arweave stand-in (startDevnet({ arweave: false }))";

/** The control API's Arweave routes (POST, JSON bodies). Without an Arweave stand-in each answers 400. */
export function arweaveControlRoutes(
  control: ArweaveDevnetControl | undefined,
): Record<string, ControlRoute> {
  const need = (): ArweaveDevnetControl => {
    if (!control) throw new Error(NOT_RUNNING);
    return control;
  };
  return {
    "POST /arweave/mine": controlRoute(z.object({}).passthrough(), async () => ({
      block: await need().mine(),
    })),
    "POST /arweave/gateway/down": controlRoute(
      z.object({ mode: z.enum(["error", "refuse"]).optional() }),
      async ({ mode }) => {
        await need().setGatewayDown(mode ?? "error");
        return { mode: mode ?? "error" };
      },
    ),
    "POST /arweave/gateway/up": controlRoute(z.object({}).passthrough(), async () => {
      await need().setGatewayUp();
      return undefined;
    }),
    "POST /arweave/gateway/slow": controlRoute(
      z.object({ delayMs: z.number().int().nonnegative() }),
      async ({ delayMs }) => {
        need().setGatewayDelay(delayMs);
        return { delayMs };
      },
    ),
  };
}
