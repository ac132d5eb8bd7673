import { existsSync } from "node:fs";
import type { AgentConfig } from "../../config/index.js";
import { AgentError } from "../../errors.js";
import type { Logger } from "../../logging/index.js";
import type { HandoverResult } from "../../runtime/handover.js";
import { isInState } from "../../runtime/lease-view.js";
import { reassessOnLostLease } from "../../runtime/lost-lease-reassessment.js";
import { lostLeaderOf, takeBack } from "../../runtime/take-back.js";
import { withTakeBackDeps } from "../../runtime/take-back-connection.js";
import type { AgentProcess } from "../../server/agent-process.js";
import { AgentKeys, type KeystoreBackend } from "../../services/keys/index.js";
import type { LeaderLocation, Leadership } from "../../services/store/index.js";
import { keystorePath, openKeystore, usesEnvKeystore } from "../keystore-access.js";
import { startHandover } from "./run-handover.js";

/** The agent's own keys for a data directory that handed over (the devnet's test identity is not used). */
export async function keysOfDataDir(
  config: AgentConfig,
  flag: string,
): Promise<{ keys: AgentKeys; keystore: KeystoreBackend }> {
  if (!usesEnvKeystore(config) && !existsSync(keystorePath(config))) {
    throw new AgentError(
      `${flag}: no keystore at ${keystorePath(config)} and no AGENT_MNEMONIC: the agent's own keys are needed to lead it again`,
      3,
    );
  }
  const keystore = await openKeystore(config);
  return { keys: AgentKeys.fromContents(await keystore.load()), keystore };
}

/**
 * `run --take-back` (DESIGN §12): a data directory that handed over (or a copy of a deployed instance's
 * state restored from its backup, see `lostLeaderOf`) leads again, but only when the
 * agent's heartbeats are silent (none of the recorded generation or later within 3 heartbeat intervals)
 * and its leader's lease is gone. Records `leading` with the next generation (which the start-up check
 * against later heartbeats then sees), or throws a one-line refusal with exit code 3.
 */
export async function takeBackDataDir(o: {
  config: AgentConfig;
  logger: Logger;
  leadership: Leadership | null;
}): Promise<{ generation: number; lostLeader: Leadership["leader"] }> {
  const { config, logger, leadership } = o;
  const lostLeader = leadership ? lostLeaderOf(leadership) : null;
  if (!leadership || !lostLeader) {
    const state = leadership ? leadership.state.replace("_", " ") : "never deployed from here";
    throw new AgentError(
      `--take-back refused: the agent in ${config.dataDir} is ${state}${leadership ? ` (generation ${leadership.generation})` : ""}, not handed over: there is nothing to take back`,
      3,
    );
  }
  const { keys } = await keysOfDataDir(config, "--take-back");
  const generation = await withTakeBackDeps(
    { config, keys, logger, silentAfterMs: 3 * config.heartbeat.intervalMs },
    (deps) => takeBack(deps),
  );
  return { generation, lostLeader };
}

/**
 * After a take-back, the agent resumes with the lost leader's lease in its state; it hands over again
 * only once its lease has moved (the lease machine finds the old one closed or its provider offline and
 * deploys elsewhere, a new deployment or a new lease of the same one), never to the instance that was lost.
 * While it rests on the lost leader's lease, the health monitor is told to reassess it (see
 * reassessOnLostLease): reports the lost leader's monitor made are not this process's to skip.
 */
export async function handOverOnceMoved(o: {
  config: AgentConfig;
  keys: AgentKeys;
  keystore: KeystoreBackend;
  logger: Logger;
  agent: AgentProcess;
  lost: LeaderLocation | null;
}): Promise<HandoverResult | null> {
  const { lost } = o;
  if (lost) {
    o.logger.info({ lost }, "waiting for the agent's lease to move off the lost leader's");
    const reassessing = reassessOnLostLease({ runtime: o.agent.runtime, lost, logger: o.logger });
    try {
      await o.agent.runtime.waitForLease(
        (view) =>
          isInState(view.state, "active.monitoring") &&
          view.dseq !== null &&
          (view.dseq !== lost.dseq || view.provider !== lost.provider),
      );
    } finally {
      reassessing.stop();
    }
  }
  return startHandover(o);
}
