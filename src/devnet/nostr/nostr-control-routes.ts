import { z } from "zod";
import { type ControlRoute, controlRoute } from "../control-api.js";
import type { NostrDevnetControl } from "./nostr-types.js";

const NOT_RUNNING = "this devnet runs without the Nostr relay (startDevnet({ nostr: false }))";

/** The control API's relay routes (POST, JSON bodies). Without a relay each answers 400. */
export function nostrControlRoutes(control: NostrDevnetControl | undefined): Record<string, ControlRoute> {
  const need = (): NostrDevnetControl => {
    if (!control) throw new Error(NOT_RUNNING);
    return control;
  };
  return {
    "POST /nostr/relay/down": controlRoute(z.object({}).passthrough(), async () => {
      await need().setRelayDown();
      return undefined;
    }),
    "POST /nostr/relay/up": controlRoute(z.object({}).passthrough(), async () => {
      await need().setRelayUp();
      return undefined;
    }),
    "POST /nostr/events/drop": controlRoute(
      z.object({ mode: z.enum(["reject", "shadow"]).optional() }),
      async ({ mode }) => {
        need().dropEvents(mode ?? "reject");
        return { mode: mode ?? "reject" };
      },
    ),
    "POST /nostr/events/clear": controlRoute(z.object({}).passthrough(), async () => {
      need().clearEventDrops();
      return undefined;
    }),
  };
}
