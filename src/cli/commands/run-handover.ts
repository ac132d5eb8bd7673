import { existsSync } from "node:fs";
import { join } from "node:path";
import type { AgentConfig } from "../../config/index.js";
import { AgentError } from "../../errors.js";
import type { Logger } from "../../logging/index.js";
import { completeHandover, type HandoverResult, handOver, instanceUrl } from "../../runtime/handover.js";
import type { AgentProcess } from "../../server/agent-process.js";
import type { AgentKeys, KeystoreBackend } from "../../services/keys/index.js";
import { DEFAULT_DATABASE_FILE, type Leadership, openAgentStore } from "../../services/store/index.js";
import { print } from "../cli-options.js";
import { keystorePath, openKeystore, usesEnvKeystore } from "../keystore-access.js";

/** The leadership recorded in a data directory, or null when it holds no store yet. */
export function leadershipOf(dataDir: string): Leadership | null {
  if (!existsSync(join(dataDir, DEFAULT_DATABASE_FILE))) return null;
  const store = openAgentStore({ dataDir });
  try {
    return store.leadership.current();
  } finally {
    store.close();
  }
}

export function describeHandover(result: HandoverResult): string {
  const url = instanceUrl(result.leader.uri);
  return [
    `  handed over: the agent now runs in its own lease (generation ${result.generation})`,
    `  where        ${url}  (dseq ${result.leader.dseq}, provider ${result.leader.provider})`,
    `  follow it    akash-agent status --remote ${url}`,
  ].join("\n");
}

/** Hands over in the background once the lease is active (see runtime/handover.ts). */
export function startHandover(o: {
  config: AgentConfig;
  keys: AgentKeys;
  keystore: KeystoreBackend;
  logger: Logger;
  agent: AgentProcess;
}): Promise<HandoverResult | null> {
  const { agent } = o;
  return handOver({
    config: o.config,
    keys: o.keys,
    keystore: o.keystore,
    store: agent.store,
    logger: o.logger,
    ...(agent.connection.nostrRelay ? { networkRelay: agent.connection.nostrRelay } : {}),
    runtime: agent.runtime,
    signal: new AbortController().signal,
    stopAgent: async () => {
      agent.backups?.stop();
      agent.runtime.stop();
    },
  });
}

/** Logs the deployed agent's lease state each time it changes, read from its /api/status. */
export function followRemote(uri: string, logger: Logger): { stop(): void } {
  const url = new URL("/api/status", instanceUrl(uri));
  let last = "";
  const read = async () => {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      const status = (await response.json()) as { state?: string; escrowRunwayHours?: number | null };
      const now = `${status.state ?? "?"}`;
      if (now !== last) {
        last = now;
        logger.info({ lease: status.state, runwayHours: status.escrowRunwayHours }, `deployed agent: ${now}`);
      }
    } catch (error) {
      const now = "unreachable";
      if (now !== last) {
        last = now;
        logger.warn(
          { url: url.toString(), reason: (error as Error).message },
          "deployed agent not reachable",
        );
      }
    }
  };
  void read();
  const timer = setInterval(() => void read(), 5_000);
  return { stop: () => clearInterval(timer) };
}

/**
 * `run` on a data directory whose agent handed over (or is handing over). A handover in progress is
 * finished (the agent is not started again: it was drained); one that is done is not acted on again,
 * which `--until handed-over` reports as success so that it can be repeated.
 */
export async function finishOrRefuse(o: {
  config: AgentConfig;
  logger: Logger;
  leadership: Leadership;
  until: string | undefined;
  json: boolean | undefined;
}): Promise<void> {
  const { config } = o;
  const result = await finishHandover(o);
  if (!result) {
    throw new AgentError(
      `the agent in ${config.dataDir} ${o.leadership.state.replace("_", " ")} (generation ${o.leadership.generation}): this data directory no longer acts for it`,
      3,
    );
  }
  if (o.until === "handed-over") {
    print(o.json ? JSON.stringify(result) : describeHandover(result));
    return;
  }
  process.stderr.write(`${describeHandover(result)}\n`);
  throw new AgentError(
    `this data directory handed over to generation ${result.generation}: it does not act for the agent again (follow it with \`akash-agent status --remote ${instanceUrl(result.leader.uri)}\`)`,
    3,
  );
}

/**
 * Where the agent went from a data directory that handed over, finishing a handover in progress
 * first; null when it was superseded (it knows no leader). `openKeystore` overrides where the keys
 * come from (default: the data directory's keystore or AGENT_MNEMONIC).
 */
export async function finishHandover(o: {
  config: AgentConfig;
  logger: Logger;
  leadership: Leadership;
  openKeystore?: () => Promise<KeystoreBackend>;
}): Promise<HandoverResult | null> {
  const { config, logger, leadership } = o;
  let result: HandoverResult | null =
    leadership.state === "handed_over" && leadership.leader
      ? { state: "handed_over", generation: leadership.generation, leader: leadership.leader }
      : null;
  if (leadership.state === "handing_over") {
    if (!o.openKeystore && !usesEnvKeystore(config) && !existsSync(keystorePath(config))) {
      throw new AgentError(
        `a handover is in progress in ${config.dataDir} but it has no keystore to finish it with`,
      );
    }
    const keystore = await (o.openKeystore ?? (() => openKeystore(config)))();
    const { AgentKeys } = await import("../../services/keys/index.js");
    const keys = AgentKeys.fromContents(await keystore.load());
    const store = openAgentStore({ dataDir: config.dataDir });
    try {
      logger.info("a handover was in progress: finishing it (the agent here stays stopped)");
      result = await completeHandover({ config, keys, keystore, store, logger });
    } finally {
      store.close();
    }
  }
  return result;
}
