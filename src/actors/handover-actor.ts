import { fromPromise } from "xstate";
import { EffectError } from "../domain/effect-failure.js";
import type { Logger } from "../logging/index.js";
import type { HandOverToNewLeaseInput } from "../machines/lease/lease.actors.js";
import { handoverCrashPointFromEnv } from "../runtime/handover-crash-point.js";
import { ActivationRefusedError } from "../services/activation/index.js";
import type { LeaderLocation } from "../services/store/index.js";
import { settingsWithImage } from "../services/upgrade/index.js";
import { activateNextLeader } from "./activate-next-leader.js";
import type { AgentServices } from "./agent-services.js";
import { effectsInFlight } from "./effects-in-flight.js";
import type { SelfHosting } from "./self-hosting.js";

/** How long a handover waits for the effects in flight before it tries again later. */
const QUIET_TIMEOUT_MS = 120_000;

/** The handover intent: recorded before the next instance is activated, so that both sides know it. */
export const HANDOVER_INTENT_KIND = "handover";

/**
 * Recorded by a standby that takes the agent back from an upgrade's new leader (issue 18), before it
 * leads again: its handover, resumed, then ends in a rollback instead of a move.
 */
export const UPGRADE_ROLLBACK_INTENT_KIND = "upgrade-rollback";

/** The rollback record's key for the upgrade into deployment `dseq`. */
export function upgradeRollbackKey(agentId: string, dseq: string): string {
  return `${agentId}:upgrade-rollback:${dseq}`;
}

interface HandoverPayload {
  generation: number;
  leader: LeaderLocation;
}

/**
 * How long the new leader keeps trying to read the previous instance's relay: that instance may be
 * restarting (its provider restarts a crashed process within seconds) and its deployment stays until
 * this copy is done. Past it the previous relay is taken as gone and the move goes on without it.
 */
const RELAY_COPY_WINDOW_MS = 90_000;

async function copyPreviousRelay(
  selfHosting: SelfHosting,
  uri: string,
  log: Logger,
  signal: AbortSignal,
): Promise<number> {
  const deadline = Date.now() + RELAY_COPY_WINDOW_MS;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await selfHosting.importRelayEvents(uri);
    } catch (error) {
      if (Date.now() > deadline || signal.aborted) {
        log.warn(
          { err: error, attempts: attempt },
          "the previous instance's relay events could not be copied: moving on without them",
        );
        return 0;
      }
      log.info(
        { attempt, reason: (error as Error).message },
        "the previous instance's relay is not reachable yet: trying again",
      );
      await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 500 * attempt)));
    }
  }
}

/**
 * The lease machine's `handOverToNewLease` (DESIGN §12, self-migration). The new lease is ready and
 * the old one still serves. On the instance that leads now: record the intent (generation + 1, the new
 * lease), activate the instance in the new lease with the keystore and the state as they are, record
 * `handed_over` and stop acting — this promise never settles there, the actors are stopped. On the
 * instance activated with that state, which resumes in this very step: take the old relay's events,
 * then finish, so that the machine goes on to close the old deployment. Without self-hosting (a
 * bootstrap, an embedding host) there is nothing to hand over to and it finishes at once.
 */
export function createHandOverActor(services: AgentServices) {
  const log = services.logger.child({ actor: "lease", step: "handover" });
  return fromPromise<void, HandOverToNewLeaseInput>(async ({ input, signal }) => {
    const { selfHosting, store, keys } = services;
    if (!selfHosting) return;
    const crashAt = handoverCrashPointFromEnv(keys.identity.agentId);
    const recorded = store.intents.get(input.key);
    if (recorded?.state === "done") return;
    const me = store.leadership.current();
    const payload = recorded?.payload as HandoverPayload | undefined;

    const rollback = store.intents.get(upgradeRollbackKey(keys.identity.agentId, input.lease.dseq));
    if (rollback && me.state === "leading") {
      // This is the old instance, leading again after it took the agent back from the new version.
      if (rollback.state !== "done") store.intents.complete(rollback.key);
      const reason = (rollback.payload as { reason?: unknown } | null)?.reason;
      // The handover it records did happen, and was undone: it is no longer in flight here.
      if (recorded) store.intents.fail(input.key, "rolled back: the standby took the agent back");
      throw new EffectError(
        "fatal",
        `the new version's leader was taken back by the standby: ${typeof reason === "string" ? reason : "it failed its checks"}`,
      );
    }

    if (payload && me.state === "leading" && me.generation >= payload.generation) {
      // This instance is the one the handover activated: the old relay's events come over first.
      const copied = await copyPreviousRelay(selfHosting, input.previous.uris[0] ?? "", log, signal);
      store.intents.complete(input.key);
      log.info({ copied, generation: me.generation }, "took over from the previous lease; closing it next");
      return;
    }
    if ((me.state === "handed_over" || me.state === "standby") && me.leader) {
      selfHosting.handedOver({
        generation: me.generation,
        leader: me.leader,
        ...(me.state === "standby" ? { standby: true } : {}),
      });
      return new Promise<void>(() => {});
    }
    if (me.state !== "leading") {
      throw new EffectError(
        "fatal",
        `this instance ${me.state} (generation ${me.generation}): it hands nothing over`,
      );
    }

    const uri = input.lease.uris[0];
    if (!uri) throw new EffectError("fatal", `the new lease ${input.lease.dseq} lists no URI to activate`);
    const leader: LeaderLocation = { dseq: input.lease.dseq, provider: input.lease.provider, uri };
    const generation = payload?.generation ?? me.generation + 1;
    if (!recorded) {
      store.intents.record({
        key: input.key,
        kind: HANDOVER_INTENT_KIND,
        payload: { generation, leader } satisfies HandoverPayload as never,
      });
      crashAt("self-recorded");
    }
    // Nothing new starts from here on, and what is in flight finishes before the state is exported.
    store.leadership.pauseEffects(`handing over to generation ${generation} in lease ${leader.dseq}`);
    try {
      await untilNoEffectsInFlight(store, log, signal);
      const receipt = await activateNextLeader({
        keys,
        keystore: services.keystore,
        store,
        settings: input.upgrade
          ? settingsWithImage(selfHosting.settings(), input.upgrade.image)
          : selfHosting.settings(),
        leader,
        generation,
        logger: services.logger,
      });
      if (!receipt.alreadyActivated) crashAt("self-activated");
    } catch (error) {
      store.leadership.resumeEffects();
      if (error instanceof EffectError) throw error;
      // An instance that refuses (wrong nonce, another agent's keystore…) will not change its mind:
      // the move is abandoned and the agent stays where it is. Anything else is tried again.
      const refused = error instanceof ActivationRefusedError;
      throw new EffectError(
        refused ? "fatal" : "retryable",
        `activating the next instance failed: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    // After an upgrade's handover this instance stands by: it may take the agent back (issue 18).
    const standby = input.upgrade !== undefined;
    store.leadership.record({ generation, state: standby ? "standby" : "handed_over", leader });
    log.info(
      { generation, ...leader, standby },
      standby
        ? "handed over to the new version: this one stops acting and stands by for the rollback window"
        : "handed over to the instance in the new lease: this one stops acting",
    );
    selfHosting.handedOver({ generation, leader, ...(standby ? { standby: true } : {}) });
    return new Promise<void>(() => {});
  });
}

/**
 * Waits until no transaction or Cronos leg is running in this process (new ones are paused); past the
 * timeout, throws to retry later. Intents recorded and not running are in the exported state and
 * resume on the next leader.
 */
async function untilNoEffectsInFlight(
  store: AgentServices["store"],
  log: Logger,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + QUIET_TIMEOUT_MS;
  let reported = 0;
  for (;;) {
    if (store.leadership.effectsRunning() === 0) return;
    const busy = effectsInFlight(store, [HANDOVER_INTENT_KIND]);
    if (Date.now() > deadline || signal.aborted) {
      throw new EffectError(
        "retryable",
        `${store.leadership.effectsRunning()} effect(s) still running after ${QUIET_TIMEOUT_MS} ms (recorded and not done: ${busy.join(", ") || "none"}): the handover waits for a quieter moment`,
      );
    }
    if (Date.now() - reported > 5_000) {
      reported = Date.now();
      log.info({ inFlight: busy }, "waiting for the effects in flight to finish before handing over");
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
