import { z } from "zod";
import { type ControlRoute, controlRoute } from "../control-api.js";
import type { CronosDevnetControl } from "./cronos-types.js";

const NOT_RUNNING = "this devnet runs without the Cronos stand-in (startDevnet({ cronos: false }))";

/**
 * The control API's Cronos routes (POST, JSON bodies). Without a Cronos stand-in each answers 400.
 */
export function cronosControlRoutes(control: CronosDevnetControl | undefined): Record<string, ControlRoute> {
  const need = (): CronosDevnetControl => {
    if (!control) throw new Error(NOT_RUNNING);
    return control;
  };
  return {
    "POST /cronos/rpc/down": controlRoute(
      z.object({ mode: z.enum(["error", "refuse"]).optional() }),
      async ({ mode }) => {
        await need().setRpcDown(mode ?? "error");
        return { mode: mode ?? "error" };
      },
    ),
    "POST /cronos/rpc/up": controlRoute(z.object({}).passthrough(), async () => {
      await need().setRpcUp();
      return undefined;
    }),
    "POST /cronos/price": controlRoute(z.object({ factor: z.number().positive() }), async ({ factor }) => ({
      pool: await need().movePrice(factor),
    })),
    "POST /cronos/bridge/delay": controlRoute(
      z.object({ blocks: z.number().int().nonnegative() }),
      async ({ blocks }) => {
        need().delayBridge(blocks);
        return undefined;
      },
    ),
    "POST /cronos/bridge/timeout": controlRoute(
      z.object({ count: z.number().int().positive().optional() }),
      async ({ count }) => {
        need().timeOutBridge(count);
        return undefined;
      },
    ),
    "POST /cronos/bridge/clear": controlRoute(z.object({}).passthrough(), async () => {
      need().clearBridgeFaults();
      return undefined;
    }),
  };
}
