import { countOf } from "../../../support/owner-chain-footprint.js";
import type { Fault, RowContext } from "../fault-types.js";
import { deployed, untilAlert, untilLease } from "../row-waits.js";

async function setAllOnline(context: RowContext, online: boolean) {
  for (const provider of context.devnet.providers)
    await context.devnet.setProviderOnline(provider.address, online);
}

/** Every provider is offline when the agent deploys: its order gets no bid. */
export const noBids: Fault = {
  id: "no-bids",
  name: "no bids",
  where: "devnet: every provider offline before the deploy (setProviderOnline false × 5)",
  policy: "no_acceptable_bid: give up (failed), critical alert, the unanswered deployment closed",
  expect: "escalate",
  phase: "before-start",
  inject: (context) => setAllOnline(context, false),
  clear: (context) => setAllOnline(context, true),
  async settle(context) {
    const view = await untilLease(context, "failed");
    const alert = await untilAlert(context, /bid/i);
    return { at: alert.createdAt, detail: `${alert.severity} alert "${alert.title}", lease ${view.state}` };
  },
};

/** The Console API (the provider directory) answers 503 while the agent deploys. */
export const consoleDown: Fault = {
  id: "console-down",
  name: "Console API down",
  where: "devnet Console API: every call 503 (injectRpcFault console error)",
  policy: 'score bids from chain data alone, alert "Provider directory unavailable", deploy',
  expect: "deploy",
  phase: "before-start",
  async inject(context) {
    context.devnet.injectRpcFault({ target: "console", kind: "error" });
  },
  async clear(context) {
    context.devnet.clearRpcFaults();
  },
  async settle(context) {
    const done = await deployed(context);
    const alert = await untilAlert(context, /directory/i, 10_000);
    return { at: done.at, detail: `${done.detail}; ${alert.severity} alert "${alert.title}"` };
  },
};

async function setAllHealth(context: RowContext, mode: "refusing-manifest" | "healthy") {
  for (const provider of context.devnet.providers) context.devnet.degradeProvider(provider.address, { mode });
}

/** Every provider's cluster refuses the manifest after winning the bid. */
export const manifestRefused: Fault = {
  id: "provider-refuses-manifest",
  name: "provider refusing the manifest",
  where:
    "devnet providers: every manifest PUT answers 500 (degradeProvider refusing-manifest × 5), before the deploy",
  policy:
    "deployment_failed: release the lease, exclude the provider, bid again; after bidding.maxAttempts: failed, critical alert, nothing open",
  expect: "escalate",
  phase: "before-start",
  inject: (context) => setAllHealth(context, "refusing-manifest"),
  clear: (context) => setAllHealth(context, "healthy"),
  async settle(context) {
    const view = await untilLease(context, "failed");
    const alert = await untilAlert(context, /deployment failed/i);
    const footprint = await context.reader.footprint(context.owner);
    const leases = countOf(footprint, "createLease");
    return {
      at: alert.createdAt,
      detail: `${leases} leases tried; ${alert.severity} alert "${alert.title}", lease ${view.state}`,
    };
  },
};
