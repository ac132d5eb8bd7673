import type { AgentConfig } from "../../config/index.js";
import type { Logger } from "../../logging/index.js";
import type { FundMode } from "../../runtime/fund-mode.js";
import { guardUntilGone } from "../../runtime/guardian.js";
import { instanceUrl } from "../../runtime/handover.js";
import { raiseStandaloneAlert } from "../../runtime/standalone-alert.js";
import { withTakeBackDeps } from "../../runtime/take-back-connection.js";
import { describeHandover } from "./run-handover.js";
import { handOverOnceMoved, keysOfDataDir } from "./run-take-back.js";

/** `agent.guardianSilenceMs`, or five heartbeat intervals. */
export function guardianSilenceMs(config: AgentConfig): number {
  return config.agent.guardianSilenceMs ?? 5 * config.heartbeat.intervalMs;
}

/**
 * `run --guardian` once the agent handed over (DESIGN §12): this process stays as a watcher of the
 * agent's heartbeats and its leader's lease. When both say the agent is gone, it takes the agent back
 * (the same rules and record as `--take-back`), alerts, runs it until it has handed over again to a
 * new deployment, and goes back to watching. Ctrl-C stops it; the deployed agent keeps running.
 * Resolves with the exit code.
 */
export async function guardAgent(o: {
  config: AgentConfig;
  logger: Logger;
  fund: FundMode;
  interrupted: Promise<void>;
}): Promise<number> {
  const { config, logger } = o;
  const { keys, keystore } = await keysOfDataDir(config, "--guardian");
  const stop = new AbortController();
  void o.interrupted.then(() => stop.abort());
  const silentAfterMs = guardianSilenceMs(config);
  for (;;) {
    logger.info(
      { silentAfterMs, checkEveryMs: config.heartbeat.intervalMs },
      "guardian: watching the agent's heartbeats and its lease (Ctrl-C stops watching; the agent keeps running)",
    );
    const outcome = await withTakeBackDeps({ config, keys, logger, silentAfterMs }, async (deps, store) => {
      const found = await guardUntilGone(deps, {
        checkEveryMs: config.heartbeat.intervalMs,
        signal: stop.signal,
        logger,
      });
      if (found) {
        const message = `The agent went silent and its lease is gone (${found.detail}): the guardian took it back as generation ${found.generation} and redeploys it.`;
        logger.warn({ generation: found.generation, lost: found.lostLeader }, `guardian: ${message}`);
        await raiseStandaloneAlert({
          alert: {
            id: `guardian-take-back-${found.generation}`,
            severity: "critical",
            title: "Agent taken back by its guardian",
            message,
            source: "guardian",
            incident: `take-back-${found.generation}`,
          },
          config,
          keys,
          keystore,
          store,
          relays: deps.relays,
          logger,
        });
      }
      return found;
    });
    if (!outcome) {
      logger.info("guardian: interrupted; the deployed agent, if it runs, keeps running");
      return 130;
    }
    const { startAgentProcess } = await import("../../server/agent-process.js");
    const agent = await startAgentProcess({ config, keys, keystore, logger, fund: o.fund });
    const handingOver =
      config.agent.handover === "auto"
        ? handOverOnceMoved({ config, keys, keystore, logger, agent, lost: outcome.lostLeader }).catch(
            (error: unknown) => error as Error,
          )
        : Promise.resolve(null);
    const handedOver = await Promise.race([handingOver, o.interrupted.then(() => "interrupted" as const)]);
    if (handedOver === "interrupted") {
      logger.info("guardian: interrupted while the agent ran here: stopping it (its lease stays open)");
      await agent.close();
      return 130;
    }
    if (handedOver instanceof Error || handedOver === null) {
      const why =
        handedOver === null
          ? "no handover (agent.handover is off, or the deployed image does not offer activation)"
          : `the handover did not finish: ${handedOver.message}`;
      logger.warn(`guardian: ${why}; the agent keeps running here until Ctrl-C`);
      await o.interrupted;
      await agent.close();
      return 130;
    }
    await agent.close();
    process.stderr.write(`\n${describeHandover(handedOver)}\n\n`);
    logger.info(
      { generation: handedOver.generation, url: instanceUrl(handedOver.leader.uri) },
      "guardian: the agent runs in its lease again; back to watching",
    );
  }
}
