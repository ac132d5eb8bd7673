import { relayUriOf } from "../domain/index.js";
import type { Logger } from "../logging/index.js";
import { AGENT_MACHINE_VERSION, AGENT_SNAPSHOT_UPGRADES } from "../machines/index.js";
import type { AgentKeys } from "../services/keys/index.js";
import { AgentRelay, readAllEvents } from "../services/relay/index.js";
import { openAgentStore, restoreLatestSnapshot } from "../services/store/index.js";
import type { SelfTestReport } from "../services/upgrade/index.js";
import { AGENT_MACHINE_ID } from "./agent-runtime.js";

export interface CanarySelfTestOptions {
  readonly dataDir: string;
  /** The keys the canary activation brought (the activation checked they are this agent's). */
  readonly keys: AgentKeys;
  /** The serving leader's relay, whose events the canary copies. */
  readonly syncFrom: string;
  readonly relay: { readonly hostname: string; readonly name: string };
  readonly logger: Logger;
  /**
   * How long the canary keeps trying to read the serving relay (default 90 s): the leader may be
   * restarting (its provider restarts a crashed process within seconds), which is not the new image's
   * fault. Past it the self-test fails.
   */
  readonly syncWindowMs?: number;
}

const SYNC_WINDOW_MS = 90_000;

/** The serving relay's events, read again until `windowMs` passed (then its last error is thrown). */
async function readServingRelay(url: string, windowMs: number, logger: Logger) {
  const deadline = Date.now() + windowMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await readAllEvents(url);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      logger.info(
        { attempt, reason: (error as Error).message },
        "the canary cannot read the serving relay yet: trying again",
      );
      await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 500 * attempt)));
    }
  }
}

/**
 * An upgrade's canary proves this build can take over (issue 18): it restores the agent's latest state
 * with this build's machines (an older build refuses a newer snapshot here), and copies the serving
 * relay's events into its own relay. It acts on nothing. Never throws: a failure is the report.
 */
export async function runCanarySelfTest(o: CanarySelfTestOptions): Promise<SelfTestReport> {
  let step = "restoring the agent's state";
  try {
    const store = openAgentStore({ dataDir: o.dataDir });
    let restoredVersion: string;
    try {
      const restored = restoreLatestSnapshot(store.snapshots, AGENT_MACHINE_ID, {
        current: AGENT_MACHINE_VERSION,
        upgrades: AGENT_SNAPSHOT_UPGRADES,
      });
      if (!restored) throw new Error("the activation brought no state of the agent's machine");
      restoredVersion = restored.storedVersion;
    } finally {
      store.close();
    }
    step = `copying the relay events of ${o.syncFrom}`;
    const events = await readServingRelay(
      relayUriOf([o.syncFrom]) ?? o.syncFrom,
      o.syncWindowMs ?? SYNC_WINDOW_MS,
      o.logger,
    );
    const relay = await AgentRelay.open({
      dataDir: o.dataDir,
      hostname: o.relay.hostname,
      name: o.relay.name,
      pubkey: o.keys.identity.nostrPubkey,
    });
    let synced: number;
    try {
      synced = await relay.importEvents(events);
    } finally {
      await relay.close();
    }
    const detail = `restored the agent's state (machine version ${restoredVersion}, this build runs ${AGENT_MACHINE_VERSION}) and copied ${synced} relay events`;
    o.logger.info({ synced, restoredVersion }, `canary self-test passed: ${detail}`);
    return { state: "passed", detail, syncedEvents: synced };
  } catch (error) {
    const detail = `${step}: ${(error as Error).message}`;
    o.logger.error({ reason: detail }, "canary self-test failed");
    return { state: "failed", detail, syncedEvents: 0 };
  }
}
