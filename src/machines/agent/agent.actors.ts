import { fromCallback } from "xstate";
import { actorContract } from "../shared/index.js";
import type { AlertToDeliver, LoadedIdentity } from "./agent.types.js";

export interface AwaitFundingInput {
  akash: string;
  minimumUakt: string;
}
export interface AwaitFundingOutput {
  uakt: string;
  at: number;
}

export type AlertOutboxEvent = { type: "ALERT.DELIVER"; alert: AlertToDeliver };

export const agentActorContracts = {
  /** Open the keystore and return the public identity, key indices and registered children. */
  loadIdentity: actorContract<LoadedIdentity, void>("loadIdentity"),
  /** Show the addresses to fund and resolve once the Akash account holds the minimum. */
  awaitFunding: actorContract<AwaitFundingOutput, AwaitFundingInput>("awaitFunding"),
  /**
   * Long-lived outbox: each ALERT.DELIVER is recorded (idempotent on its id) and delivered to the
   * operator's channels; on (re)start it delivers whatever the store still holds undelivered.
   */
  /**
   * Long-lived voice: heartbeats and the relay list on Nostr. Announcing nothing is a valid choice
   * (no relays configured), so unlike the outbox it may go unprovided.
   */
  heartbeat: fromCallback(() => () => {}),
  alertOutbox: fromCallback<AlertOutboxEvent>(() => {
    throw new Error(
      "the alertOutbox actor was not provided: use machine.provide({ actors: { alertOutbox } })",
    );
  }),
};
