import { createChainNodeSDK } from "@akashnetwork/chain-sdk";
import { waitFor } from "../../../test/support/devnet.js";
import type { Fault, RowContext, Settled } from "../fault-types.js";
import { SETTLE_TIMEOUT_MS, untilAlert } from "../row-waits.js";

/** What an emergency swap brings: 10 AKT (the treasury's floor), bridged from Cronos. */
const RESTORED_UAKT = 10_000_000n;

async function uaktOf(context: RowContext): Promise<bigint> {
  const sdk = createChainNodeSDK({ query: { baseUrl: context.devnet.grpc } });
  const answer = await sdk.cosmos.bank.v1beta1.getBalance({ address: context.owner, denom: "uakt" });
  return BigInt(answer.balance?.amount ?? "0");
}

function cronosOf(context: RowContext) {
  const control = context.devnet.cronosControl;
  if (!control) throw new Error("the devnet runs no Cronos stand-in");
  return control;
}

/** The trigger of every Cronos row: the agent's AKT is gone, so its treasury must swap CRO for AKT. */
const drainAkt = (context: RowContext) => context.devnet.drainAccount(context.owner, "uakt");

/** AKT back on the agent's account, the lease where it was. */
async function aktRestored(context: RowContext, prefix = ""): Promise<Settled> {
  const uakt = await waitFor(
    async () => {
      const balance = await uaktOf(context);
      return balance >= RESTORED_UAKT ? balance : undefined;
    },
    SETTLE_TIMEOUT_MS,
    "AKT bridged back to the agent",
  );
  const view = context.agent().runtime.lease();
  const kept = view?.dseq === context.baseline?.dseq ? "lease kept" : `lease now dseq ${view?.dseq}`;
  return { at: Date.now(), detail: `${prefix}${uakt} uakt after the swap, ${kept}` };
}

const croBridged = (context: RowContext) => {
  const transfers = cronosOf(context)
    .transfers()
    .filter((transfer) => transfer.recipient === context.owner);
  return transfers.map((transfer) => transfer.outcome).join(", ") || "none";
};

/** Alone: the account drained (the treasury's own fault path, which the Cronos faults below hinder). */
export const aktDrained: Fault = {
  id: "akt-drained",
  name: "AKT account drained",
  where: "devnet bank: the agent's uakt emptied (drainAccount)",
  policy: "treasury under its floor: emergency CRO→AKT swap and bridge, lease untouched",
  expect: "ride-out",
  phase: "while-active",
  needs: ["cronos"],
  inject: drainAkt,
  async clear() {},
  settle: (context) => aktRestored(context),
};

export const cronosRpcDown: Fault = {
  id: "cronos-rpc-down",
  name: "Cronos RPC down",
  where: "devnet Cronos RPC: every call 503 (setRpcDown error), then the AKT account drained",
  policy: 'swap impossible: alert "Emergency swap failed", retry; swap once the RPC answers, lease untouched',
  expect: "ride-out",
  phase: "while-active",
  needs: ["cronos"],
  async inject(context) {
    cronosOf(context).setRpcDown("error");
    await drainAkt(context);
  },
  async clear(context) {
    cronosOf(context).setRpcUp();
  },
  async settle(context) {
    const alert = await untilAlert(context, /swap/i);
    cronosOf(context).setRpcUp();
    return aktRestored(context, `${alert.severity} "${alert.title}", then `);
  },
};

export const swapPriceMoved: Fault = {
  id: "swap-price-moved",
  name: "swap price moved",
  where: "devnet Cronos pool: AKT 20 % dearer than the oracle (movePrice 1.2), then the AKT account drained",
  policy: "slippage over the 3 % cap: refuse the swap, alert; swap once the price is back",
  expect: "ride-out",
  phase: "while-active",
  needs: ["cronos"],
  async inject(context) {
    await cronosOf(context).movePrice(1.2);
    context.facts.set("price", "moved");
    await drainAkt(context);
  },
  async clear(context) {
    if (context.facts.get("price") !== "moved") return;
    context.facts.delete("price");
    await cronosOf(context).movePrice(1 / 1.2);
  },
  async settle(context) {
    const alert = await untilAlert(context, /swap/i);
    // What was bridged while the price was off: the refused swap must have signed nothing.
    context.facts.set("bridgedWhileMoved", croBridged(context));
    await this.clear(context);
    return aktRestored(context, `${alert.severity} "${alert.title}", then `);
  },
  async check(context) {
    const whileMoved = context.facts.get("bridgedWhileMoved") ?? "none";
    const outcomes = croBridged(context);
    const problems =
      whileMoved === "none" ? [] : [`cronos: bridged ${whileMoved} while the price was off, expected none`];
    // Once it is back, the swap's AKT arrives. Alone, that is the one swap; beside a move, the move's
    // fees take the account under its reserve again: a second need, whose swap may still be on its way.
    const each = outcomes.split(", ");
    if (each[0] !== "credited" || each.some((outcome) => outcome !== "credited" && outcome !== "pending")) {
      problems.push(`cronos: bridge transfers ${outcomes}, expected the first credited and none refunded`);
    }
    if (context.rowExpect === "ride-out" && each.length > 1) {
      problems.push(`cronos: bridge transfers ${outcomes}, expected one (nothing spent AKT after the swap)`);
    }
    return problems;
  },
};

export const bridgeTimeout: Fault = {
  id: "bridge-timeout",
  name: "bridge timeout",
  where:
    "devnet IBC relayer: the next transfer times out and is refunded (timeOutBridge 1), then the AKT account drained",
  policy: "refunded on Cronos: send it once more; AKT arrives once",
  expect: "ride-out",
  phase: "while-active",
  needs: ["cronos"],
  async inject(context) {
    cronosOf(context).timeOutBridge(1);
    await drainAkt(context);
  },
  async clear(context) {
    cronosOf(context).clearBridgeFaults();
  },
  async settle(context) {
    const restored = await aktRestored(context);
    return { ...restored, detail: `${restored.detail}; bridge ${croBridged(context)}` };
  },
  async check(context) {
    const outcomes = croBridged(context);
    return outcomes === "refunded, credited"
      ? []
      : [`cronos: bridge transfers ${outcomes}, expected refunded, credited`];
  },
};
