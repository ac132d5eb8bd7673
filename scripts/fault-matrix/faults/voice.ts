import { Relay, useWebSocketImplementation } from "nostr-tools/relay";
import WebSocket from "ws";
import { HEARTBEAT_KIND } from "../../../src/index.js";
import { waitFor } from "../../../test/support/devnet.js";
import type { Fault, RowContext } from "../fault-types.js";
import { rideOut, SETTLE_TIMEOUT_MS, servingAgainSince, untilAlert } from "../row-waits.js";

useWebSocketImplementation(WebSocket);

const RELAY_OUTAGE_MS = 4_000;

function identityOf(context: RowContext): { nostrPubkey: string } {
  const loaded = context.agent().runtime.actor.getSnapshot().context.loaded as {
    identity?: { nostrPubkey?: string };
  } | null;
  const pubkey = loaded?.identity?.nostrPubkey;
  if (!pubkey) throw new Error("the agent's identity is not loaded");
  return { nostrPubkey: pubkey };
}

/** The newest heartbeat of the agent the relay holds (its created_at, seconds), or null. */
async function newestHeartbeat(relayUrl: string, author: string): Promise<number | null> {
  const relay = await Relay.connect(relayUrl);
  try {
    return await new Promise<number | null>((resolve) => {
      let newest: number | null = null;
      const sub = relay.subscribe([{ kinds: [HEARTBEAT_KIND], authors: [author] }], {
        onevent: (event) => {
          newest = Math.max(newest ?? 0, event.created_at);
        },
        oneose: () => {
          sub.close();
          resolve(newest);
        },
      });
    });
  } finally {
    relay.close();
  }
}

function relayOf(context: RowContext) {
  const control = context.devnet.nostrControl;
  const url = context.devnet.nostr?.relay;
  if (!control || !url) throw new Error("the devnet runs no Nostr relay");
  return { control, url };
}

/** The devnet's relay drops every connection and refuses new ones for a while. */
export const relayDown: Fault = {
  id: "relay-down",
  name: "relay down",
  where: `devnet Nostr relay: connections dropped and refused for ${RELAY_OUTAGE_MS / 1000} s (setRelayDown)`,
  policy:
    "voice only: heartbeats fail and are retried, the lease is untouched; heartbeats resume on the relay",
  expect: "ride-out",
  phase: "while-active",
  needs: ["nostr"],
  settings: { "heartbeat.intervalMs": 1_000 },
  async inject(context) {
    await relayOf(context).control.setRelayDown();
  },
  async clear(context) {
    await relayOf(context).control.setRelayUp();
  },
  async settle(context) {
    const back = Math.floor(Date.now() / 1000) + 1;
    const serving = await rideOut(context, RELAY_OUTAGE_MS, (row) => this.clear(row));
    const { url } = relayOf(context);
    const author = identityOf(context).nostrPubkey;
    await waitFor(
      async () =>
        ((await newestHeartbeat(url, author)) ?? 0) >= back + RELAY_OUTAGE_MS / 1000 ? true : undefined,
      SETTLE_TIMEOUT_MS,
      "a heartbeat on the relay after it came back",
    );
    return { at: Date.now(), detail: `${serving.detail}; heartbeats resumed` };
  },
};

/** The alert receivers answer 500 while an alert is due: a critical "Chain unreachable" (the trigger). */
export const receiversFailing: Fault = {
  id: "receivers-failing",
  name: "alert receivers failing",
  where:
    "devnet webhook receiver: every POST 500 (receivers/fail), while the node is down until the critical alert",
  policy: "delivery retried with backoff; the alert reaches the webhook once it answers; lease untouched",
  expect: "ride-out",
  phase: "while-active",
  needs: ["receivers"],
  settings: (devnet) => ({
    "alerts.minSeverity": "high",
    "alerts.webhooks": devnet.receivers ? [devnet.receivers.webhook] : [],
  }),
  async inject(context) {
    const receivers = context.devnet.receiversControl;
    if (!receivers) throw new Error("the devnet runs no alert receivers");
    receivers.failWith500();
    context.devnet.injectRpcFault({ target: "all", kind: "error" });
  },
  async clear(context) {
    context.devnet.receiversControl?.clearFaults();
    context.devnet.clearRpcFaults();
  },
  async settle(context) {
    const alert = await untilAlert(context, /chain unreachable/i);
    const failed = await waitFor(
      () => context.agent().store.alerts.get(alert.id)?.lastError ?? undefined,
      SETTLE_TIMEOUT_MS,
      "a failed delivery of the alert",
    );
    const cleared = context.clock.now();
    await this.clear(context);
    await waitFor(
      () => (context.agent().store.alerts.get(alert.id)?.sentChannels.includes("webhook") ? true : undefined),
      SETTLE_TIMEOUT_MS,
      "the alert delivered to the webhook",
    );
    const stored = context.agent().store.alerts.get(alert.id);
    const serving = await servingAgainSince(context, cleared);
    return {
      at: Date.now(),
      detail: `"${alert.title}" failed (${failed.slice(0, 60)}), delivered after ${stored?.attempts} attempts; ${serving.detail}`,
    };
  },
};
