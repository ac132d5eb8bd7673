import { z } from "zod";
import { type ControlRoute, controlRoute } from "../control-api.js";
import type { DnsDevnetControl } from "./dns-types.js";

const NOT_RUNNING = "this devnet runs without its DNS server (startDevnet({ dns: false }))";

/** The control API's DNS routes (POST, JSON bodies). Without the DNS server each answers 400. */
export function dnsControlRoutes(control: DnsDevnetControl | undefined): Record<string, ControlRoute> {
  const need = (): DnsDevnetControl => {
    if (!control) throw new Error(NOT_RUNNING);
    return control;
  };
  return {
    "POST /dns/fail": controlRoute(z.object({ provider: z.string().min(1) }), async ({ provider }) => {
      need().failProvider(provider);
      return undefined;
    }),
    "POST /dns/clear": controlRoute(
      z.object({ provider: z.string().min(1).optional() }),
      async ({ provider }) => {
        need().clearFaults(provider);
        return undefined;
      },
    ),
  };
}
