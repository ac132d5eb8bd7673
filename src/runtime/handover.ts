import { activateNextLeader, instanceUrl } from "../actors/activate-next-leader.js";
import { effectsInFlight } from "../actors/effects-in-flight.js";
import type { AgentConfig } from "../config/index.js";
import { AgentError } from "../errors.js";
import type { Logger } from "../logging/index.js";
import {
  ActivationFailedError,
  type ActivationOffer,
  type ActivationReceipt,
  ActivationRefusedError,
} from "../services/activation/index.js";
import type { AgentKeys, KeystoreBackend } from "../services/keys/index.js";
import type { AgentStore, LeaderLocation } from "../services/store/index.js";
import type { AgentRuntime } from "./agent-runtime.js";
import { type CrashAt, type HandoverCrashStep, handoverCrashPointFromEnv } from "./handover-crash-point.js";
import { isInState, type LeaseView } from "./lease-view.js";
import { publicSettings } from "./public-settings.js";
import { raiseStandaloneAlert } from "./standalone-alert.js";
import { nostrRelaysOf } from "./voice-setup.js";

/** Where the agent lives after a handover, and from which generation on. */
export interface HandoverResult {
  readonly state: "handed_over";
  readonly generation: number;
  readonly leader: LeaderLocation;
}

export { instanceUrl };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The deployed image's activation offer, or why there is none (it is not the agent, or not up yet). */
async function readOffer(url: string): Promise<{ offer: ActivationOffer } | { absent: string }> {
  try {
    const response = await fetch(new URL("/api/activation", url), { signal: AbortSignal.timeout(3_000) });
    if (response.status === 404) return { absent: `${url} has no activation endpoint (404)` };
    if (!response.ok) return { absent: `${url}/api/activation answered ${response.status}` };
    return { offer: (await response.json()) as ActivationOffer };
  } catch (error) {
    return { absent: `${url} is not reachable (${error instanceof Error ? error.message : String(error)})` };
  }
}

export interface HandoverDeps {
  readonly config: AgentConfig;
  readonly keys: AgentKeys;
  readonly keystore: KeystoreBackend;
  readonly store: AgentStore;
  readonly logger: Logger;
  /** Fault injection between the durable steps; default: AKASH_AGENT_HANDOVER_CRASH_AT. */
  readonly crashAt?: CrashAt<HandoverCrashStep>;
  /** The network's relay, where an alert about a refused activation goes with `nostr.relays`. */
  readonly networkRelay?: string;
}

const crashHookOf = (deps: HandoverDeps) =>
  deps.crashAt ?? handoverCrashPointFromEnv(deps.keys.identity.agentId);

/**
 * The bootstrap's side once the lease is active (DESIGN §12): find the deployed instance's activation
 * offer (none: the image is not the agent, and this process keeps managing the lease), wait until the
 * agent is quiet (lease monitoring, no effect in flight), stop it, then {@link completeHandover}.
 * Returns null when there is nothing to hand over to.
 */
export async function handOver(
  deps: HandoverDeps & { runtime: AgentRuntime; stopAgent: () => Promise<void>; signal: AbortSignal },
): Promise<HandoverResult | null> {
  const { runtime, store, logger, config, signal } = deps;
  const view = await runtime.waitForLease((current) => isInState(current.state, "active"));
  const leader = leaderOf(view);
  if (!leader) return null;
  const url = instanceUrl(leader.uri);
  let found = await readOffer(url);
  for (let attempt = 1; "absent" in found && attempt < 3 && !signal.aborted; attempt += 1) {
    await sleep(1_000);
    found = await readOffer(url);
  }
  if ("absent" in found) {
    logger.info(
      { reason: found.absent },
      "the deployed image does not offer activation: this process keeps managing the lease",
    );
    return null;
  }
  logger.info({ url }, "the deployed agent is waiting for activation: handing over once the agent is quiet");
  const deadline = Date.now() + config.agent.handoverTimeoutMs;
  let lastReport = 0;
  for (;;) {
    if (signal.aborted) return null;
    const current = runtime.lease();
    const busy = effectsInFlight(store);
    if (current && isInState(current.state, "active.monitoring") && busy.length === 0) break;
    if (Date.now() > deadline) {
      throw new Error(
        `the agent did not become quiet within ${config.agent.handoverTimeoutMs} ms (lease ${current?.state ?? "?"}, in flight: ${busy.join(", ") || "none"}): not handing over`,
      );
    }
    if (Date.now() - lastReport > 5_000) {
      lastReport = Date.now();
      logger.info(
        { lease: current?.state, inFlight: busy },
        "waiting for the agent's effects in flight to finish before handing over",
      );
    }
    await sleep(250);
  }
  await deps.stopAgent();
  const crashAt = crashHookOf(deps);
  crashAt("stopped");
  const generation = store.leadership.current().generation + 1;
  store.leadership.record({ generation, state: "handing_over", leader });
  crashAt("recorded");
  return completeHandover({ ...deps, crashAt });
}

/**
 * Activates the instance, trying again while it cannot be reached or fails (the provider restarts an
 * instance that crashed mid-activation, which then awaits the package again) until the handover's
 * timeout. A refusal is final: the instance will not change its mind.
 */
async function activateUntilAnswered(
  deps: HandoverDeps,
  leader: LeaderLocation,
  generation: number,
): Promise<ActivationReceipt> {
  const deadline = Date.now() + deps.config.agent.handoverTimeoutMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await activateNextLeader({
        keys: deps.keys,
        keystore: deps.keystore,
        store: deps.store,
        settings: publicSettings(deps.config),
        leader,
        generation,
        logger: deps.logger,
      });
    } catch (error) {
      if (!(error instanceof ActivationFailedError) || Date.now() > deadline) throw error;
      deps.logger.warn(
        { attempt, reason: error.message },
        "the deployed instance did not complete the activation: trying again (a crashed instance is restarted by its provider)",
      );
      await sleep(Math.min(5_000, 500 * attempt));
    }
  }
}

function leaderOf(view: LeaseView): LeaderLocation | null {
  const uri = view.uris[0];
  if (!view.dseq || !view.provider || !uri) return null;
  return { dseq: view.dseq, provider: view.provider, uri };
}

/**
 * Activates the instance recorded in the store's `handing_over` leadership with the keystore and the
 * store as they are now (the agent is stopped), then records `handed_over`. Safe to call again after a
 * crash at any point: an instance already activated for this generation answers its acknowledgement.
 */
export async function completeHandover(deps: HandoverDeps): Promise<HandoverResult> {
  const { store, logger } = deps;
  const leadership = store.leadership.current();
  if (leadership.state === "handed_over" && leadership.leader) {
    return { state: "handed_over", generation: leadership.generation, leader: leadership.leader };
  }
  if (leadership.state !== "handing_over" || !leadership.leader) {
    throw new Error(`no handover in progress (leadership is ${leadership.state})`);
  }
  const { leader, generation } = leadership;
  let receipt: ActivationReceipt;
  try {
    receipt = await activateUntilAnswered(deps, leader, generation);
  } catch (error) {
    if (error instanceof ActivationRefusedError) throw await abandonRefusedHandover(deps, leader, error);
    throw error;
  }
  if (!receipt.alreadyActivated) crashHookOf(deps)("activated");
  store.leadership.record({ generation, state: "handed_over", leader });
  logger.info(
    {
      generation,
      dseq: leader.dseq,
      provider: leader.provider,
      uri: leader.uri,
      again: receipt.alreadyActivated,
    },
    `handed over: the agent now runs in its own lease at ${instanceUrl(leader.uri)} (generation ${generation})`,
  );
  return { state: "handed_over", generation, leader };
}

/**
 * The instance refused the activation (a wrong nonce, another agent's expectation, already activated
 * by someone else): it will not change its mind, and it holds nothing of ours. The agent stays here,
 * leading (the generation it recorded stays: generations never go down), and the operator is alerted.
 */
async function abandonRefusedHandover(
  deps: HandoverDeps,
  leader: LeaderLocation,
  refusal: ActivationRefusedError,
): Promise<AgentError> {
  const { store, config, logger } = deps;
  const { generation } = store.leadership.record({
    generation: store.leadership.current().generation,
    state: "leading",
    leader: null,
  });
  const where = `${instanceUrl(leader.uri)} (dseq ${leader.dseq}, provider ${leader.provider})`;
  logger.error(
    { status: refusal.status, reason: refusal.message, ...leader },
    "the deployed instance refused the activation: not handing over",
  );
  await raiseStandaloneAlert({
    alert: {
      id: `handover-refused-${leader.dseq}-g${generation}`,
      severity: "high",
      title: "Handover refused by the deployed instance",
      message:
        `The instance at ${where} refused this agent's activation (${refusal.status}): ${refusal.message}. ` +
        "Nothing secret was sent to it. The agent was not handed over and stays with the bootstrap.",
      source: "leadership",
      incident: `handover-refused-${leader.dseq}`,
    },
    config,
    keys: deps.keys,
    keystore: deps.keystore,
    store,
    relays: nostrRelaysOf(config, deps.networkRelay),
    logger,
  });
  return new AgentError(
    `the instance at ${where} refused the activation (${refusal.status}: ${refusal.message}): the agent was ` +
      `not handed over and still leads from ${config.dataDir} (generation ${generation}); an alert was raised. ` +
      "Check that the deployment runs this agent's image for this agent, or set agent.handover: off to manage the lease from here",
  );
}
