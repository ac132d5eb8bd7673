import { EffectError } from "../../domain/effect-failure.js";
import type { ChainMessage } from "./akash-service.js";
import type { ChainQueries } from "./chain-queries.js";

/**
 * What the chain shows of a message's effect: it `holds` (nothing left to do), is `absent`, or is
 * `unknowable` from state (a deposit, a mint, a burn or a transfer leaves nothing that tells one from the next; only
 * the recorded tx hash can).
 */
export type EffectState = "holds" | "absent" | "unknowable";

/** Messages whose effect is unique to the tx that made it: if it holds, that tx is in a block. */
const CREATIONS = new Set<ChainMessage["type"]>(["createDeployment", "createLease"]);

export async function effectOf(
  message: ChainMessage,
  owner: string,
  queries: ChainQueries,
): Promise<EffectState> {
  switch (message.type) {
    case "createDeployment": {
      const deployment = await queries.deployment(owner, message.dseq);
      if (!deployment) return "absent";
      if (deployment.manifestVersion !== message.manifestVersion.toLowerCase()) {
        throw new EffectError(
          "fatal",
          `deployment ${message.dseq} exists with manifest version ${deployment.manifestVersion}, not ${message.manifestVersion}`,
        );
      }
      return "holds";
    }
    case "closeDeployment": {
      const deployment = await queries.deployment(owner, message.dseq);
      return !deployment || deployment.state === "closed" ? "holds" : "absent";
    }
    case "createLease":
      return (await queries.lease(owner, message.bid)) ? "holds" : "absent";
    case "closeLease": {
      const lease = await queries.lease(owner, message.lease);
      return !lease || lease.state === "closed" || lease.state === "insufficient_funds" ? "holds" : "absent";
    }
    case "startGroup": {
      // Open is what the message makes; a closed group (its deployment closed, or out of funds) cannot start.
      const group = (await queries.groups(owner, message.dseq)).find((g) => g.gseq === message.gseq);
      if (!group || group.state === "closed" || group.state === "insufficient_funds") {
        throw new EffectError(
          "fatal",
          `group ${message.dseq}/${message.gseq} is ${group ? group.state : "not on chain"}: it cannot be started again; deploy anew`,
        );
      }
      return group.state === "open" ? "holds" : "absent";
    }
    case "deposit":
    case "mintAct":
    case "burnAct":
    case "send":
      return "unknowable";
  }
}

/**
 * Whether a transaction of these messages has nothing left to do: one of its creations holds (the
 * tx is atomic, so the rest went in with it), or every message's effect holds.
 */
export function batchHolds(messages: readonly ChainMessage[], states: readonly EffectState[]): boolean {
  if (messages.some((m, i) => CREATIONS.has(m.type) && states[i] === "holds")) return true;
  return states.every((s) => s === "holds");
}
