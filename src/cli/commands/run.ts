import { existsSync, mkdirSync } from "node:fs";
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { leaseMachine } from "../../machines/index.js";
import { devnetAgentKeystore } from "../../runtime/devnet-identity.js";
import { devnetRunDir } from "../../runtime/devnet-runs.js";
import { type FundMode, fundModes } from "../../runtime/fund-mode.js";
import { httpPortTaken, SCHEMA_HTTP_PORT } from "../../runtime/http-port-taken.js";
import type { LaunchedAgent } from "../../runtime/launch-agent.js";
import { isInState, type LeaseView } from "../../runtime/lease-view.js";
import { parseInspectTarget, startStatelyInspection } from "../../server/stately-inspector.js";
import { AgentKeys, type KeystoreBackend } from "../../services/keys/index.js";
import { cliContext, print } from "../cli-options.js";
import { keystorePath, openKeystore, usesEnvKeystore } from "../keystore-access.js";
import { runDevnet } from "./run-devnet.js";
import { followDeployedAgent } from "./run-follow.js";
import {
  describeHandover,
  finishHandover,
  finishOrRefuse,
  followRemote,
  leadershipOf,
  startHandover,
} from "./run-handover.js";
import { handOverOnceMoved, takeBackDataDir } from "./run-take-back.js";

interface RunOptions {
  devnetUrl?: string;
  retry?: boolean;
  until?: string;
  json?: boolean;
  terminateOnExit?: boolean;
  httpPort?: number;
  inspect?: string;
  fund?: string;
  takeBack?: boolean;
  guardian?: boolean;
}

function parseHttpPort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`--http-port ${value}: use a port number from 0 to 65535 (0 = any free port)`);
  }
  return port;
}

/** Every state name of the lease machine, dotted ("active.monitoring"), for `--until`. */
function leaseStateNames(): string[] {
  const names: string[] = [];
  const walk = (node: { path: string[]; states: Record<string, unknown> }) => {
    if (node.path.length > 0) names.push(node.path.join("."));
    for (const child of Object.values(node.states)) walk(child as typeof node);
  };
  walk(leaseMachine.root as unknown as { path: string[]; states: Record<string, unknown> });
  return names;
}

/** `--until handed-over`: exit once the deployed agent leads (DESIGN §12), printing where it lives. */
export const HANDED_OVER = "handed-over";

function checkUntil(until: string | undefined): void {
  if (until === undefined || until === HANDED_OVER) return;
  const names = leaseStateNames();
  if (!names.includes(until)) {
    const top = names.filter((name) => !name.includes("."));
    throw new UsageError(
      `--until ${until} is not a lease state: use one of ${top.join(", ")} (or a dotted sub-state), or ${HANDED_OVER}`,
    );
  }
}

function checkFundMode(mode: string | undefined): FundMode {
  if (mode === undefined) return "all";
  if (!(fundModes as readonly string[]).includes(mode)) {
    throw new UsageError(`--fund ${mode} is not a funding mode: use one of ${fundModes.join(", ")}`);
  }
  return mode as FundMode;
}

function printView(view: LeaseView, json: boolean | undefined): void {
  if (json) {
    print(JSON.stringify(view));
    return;
  }
  print(`lease    ${view.state}`);
  print(`dseq     ${view.dseq ?? "-"}`);
  print(`provider ${view.provider ?? "-"}`);
  print(`uris     ${view.uris.join(", ") || "-"}`);
  print(`escrow   ${view.escrowRunwayHours === null ? "-" : `${view.escrowRunwayHours} h of runway`}`);
}

/** Why the agent or its lease failed, from their contexts. */
function failureReason(runtime: LaunchedAgent["runtime"]): string {
  const root = runtime.actor.getSnapshot();
  const lease = root.children.lease?.getSnapshot() as
    | { context?: { lastError?: { message: string } | null } }
    | undefined;
  return lease?.context?.lastError?.message ?? root.context.lastError?.message ?? "the agent stopped";
}

/** Resolves at the first Ctrl-C (or SIGTERM). */
function untilInterrupted(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}

export function registerRunCommand(program: Command): void {
  program
    .command("run")
    .description(
      "run the agent: deploy itself onto Akash and keep its lease alive (resumes from --data after a crash)",
    )
    .option(
      "--devnet-url <url>",
      "control URL of a running `akash-agent devnet` (default: start one as its own process, reused by later runs on this --data; AGENT_DEVNET_IN_PROCESS=true: in this process)",
    )
    .option(
      "--until <state>",
      `exit 0 once the lease reaches this state (non-zero if it fails first), e.g. active; or ${HANDED_OVER}: once the deployed agent has taken over`,
    )
    .option(
      "--json",
      'with --until: print the lease as one JSON line { "state", "dseq", "provider", "uris", "escrowRunwayHours" } (handed-over: { "state", "generation", "leader" })',
    )
    .option("--terminate-on-exit", "close the deployment (refunding its escrow) when stopped with Ctrl-C")
    .option("--retry", "if the lease had failed (all deployment attempts used up), try deploying again")
    .option(
      "--http-port <port>",
      "port of the relay, the status page and the API (http.port; 0 = any free port)",
      parseHttpPort,
    )
    .option(
      "--inspect <target>",
      "also stream the statecharts to the Stately inspector: `sky` (needs internet) or ws://HOST:PORT",
    )
    .option(
      "--fund <mode>",
      "devnet: fund the Akash account and the EVM address (all, default), or only the EVM address with CRO (cro-only: the agent swaps and bridges its own AKT)",
    )
    .option(
      "--take-back",
      "lead again from a data directory that handed over: only when the agent's heartbeats are silent (3 heartbeat intervals) and its leader's lease is gone (exit 3 otherwise)",
    )
    .option(
      "--guardian",
      "after the handover, stay and watch the agent's heartbeats and lease; take it back (as --take-back) only if it goes silent and its lease is gone (agent.guardianSilenceMs)",
    )
    .action(async (options: RunOptions, command: Command) => {
      checkUntil(options.until);
      const fund = checkFundMode(options.fund);
      const inspectTarget = options.inspect;
      if (inspectTarget !== undefined) parseInspectTarget(inspectTarget);
      const context = cliContext(command, { "devnet.url": options.devnetUrl, "http.port": options.httpPort });
      let { config } = context;
      const { logger } = context;
      if (config.role === "deployed") {
        const { runDeployed } = await import("./run-deployed.js");
        await runDeployed(config, logger);
        return;
      }
      if (options.guardian && config.network === "devnet" && !config.devnet.url && config.devnet.inProcess) {
        throw new UsageError(
          "--guardian on the devnet needs the devnet out of this process: unset devnet.inProcess (AGENT_DEVNET_IN_PROCESS), or pass --devnet-url",
        );
      }
      const devnetOfRun = await runDevnet(config, logger);
      config = devnetOfRun.config;
      const managedDevnet = devnetOfRun.devnet;
      // npm start: without --until, on a devnet of its own, it follows the deployed agent.
      const follow = managedDevnet !== null && options.until === undefined && !options.guardian;
      const chooseKeystore = async (): Promise<KeystoreBackend> => {
        if (usesEnvKeystore(config) || existsSync(keystorePath(context.config))) {
          return openKeystore({ ...config, dataDir: context.config.dataDir });
        }
        if (config.network === "devnet") {
          logger.warn(
            "no keystore: using the devnet's well-known test identity (never use it on a real network)",
          );
          return devnetAgentKeystore();
        }
        throw new UsageError(
          `no keystore at ${keystorePath(context.config)}: create one with \`akash-agent init\` before running on ${config.network}`,
        );
      };
      const previous = leadershipOf(config.dataDir);
      const takenBack = options.takeBack
        ? await takeBackDataDir({ config, logger, leadership: previous })
        : null;
      if (options.guardian && previous?.state === "handed_over" && !takenBack) {
        const { guardAgent } = await import("./run-guardian.js");
        const interrupted = new Promise<void>((resolve) => {
          process.once("SIGINT", () => resolve());
          process.once("SIGTERM", () => resolve());
        });
        process.exitCode = await guardAgent({ config, logger, fund, interrupted });
        return;
      }
      if (follow && managedDevnet && previous && previous.state !== "leading" && !takenBack) {
        const result = await finishHandover({
          config,
          logger,
          leadership: previous,
          openKeystore: chooseKeystore,
        });
        if (result) {
          devnetOfRun.following();
          await followDeployedAgent({
            config,
            dataDir: context.config.dataDir,
            devnet: managedDevnet,
            leader: { ...result.leader, generation: result.generation },
            pubkey: null,
            existing: true,
            interrupted: untilInterrupted(),
            logger,
          });
          return;
        }
      }
      if (previous && previous.state !== "leading" && !takenBack) {
        await finishOrRefuse({
          config,
          logger,
          leadership: previous,
          until: options.until,
          json: options.json,
        });
        return;
      }

      const inProcessDevnet = config.network === "devnet" && !config.devnet.url;
      if (inProcessDevnet) {
        const runDir = devnetRunDir(config.dataDir, new Date());
        mkdirSync(runDir, { recursive: true });
        logger.info({ dataDir: runDir }, `embedded devnet: this run's state is in ${runDir}`);
        config = { ...config, dataDir: runDir };
      }

      const whatStays = inProcessDevnet
        ? "the embedded devnet stops with it; to resume later, run against `akash-agent devnet` with --devnet-url"
        : managedDevnet
          ? `the lease stays open on the devnet, which keeps running (pid ${managedDevnet.pid}); run again with the same --data to resume`
          : "the lease stays open and is paid from its escrow; run again with the same --data to resume, or stop with --terminate-on-exit to close it";
      const keystore = await chooseKeystore();
      const keys = AgentKeys.fromContents(await keystore.load());
      // Ctrl-C is heard from here on, even while the agent is still starting.
      const interrupted = untilInterrupted();
      let signalled = false;
      void interrupted.then(() => {
        signalled = true;
      });
      // Loaded here, not at start-up: the other commands need neither the chain clients nor the devnet.
      if (fund === "cro-only" && config.network !== "devnet") {
        throw new UsageError(
          `--fund cro-only is for the devnet (its faucets): on ${config.network}, fund the agent's addresses yourself`,
        );
      }
      // Two `npm start`s on one machine: the second takes a free port (never when one was asked for).
      const defaultPortTaken =
        config.network === "devnet" &&
        options.httpPort === undefined &&
        process.env.AGENT_HTTP_PORT === undefined &&
        config.http.port === SCHEMA_HTTP_PORT &&
        (await httpPortTaken(config.http.host, config.http.port));
      if (defaultPortTaken) config = { ...config, http: { ...config.http, port: 0 } };
      const { startAgentProcess } = await import("../../server/agent-process.js");
      const inspection = inspectTarget ? await startStatelyInspection(inspectTarget, logger) : null;
      const agent = await startAgentProcess({
        config,
        keys,
        keystore,
        logger,
        fund,
        ...(inspection ? { inspect: inspection.inspect } : {}),
      });
      // The URL for a person (`npm start`); with --log-json the log line above carries it, and
      // --log-level silent means nothing on stderr.
      if (defaultPortTaken) {
        logger.warn(
          { url: agent.url },
          `port ${SCHEMA_HTTP_PORT} is taken (another agent?): this one listens on ${agent.url}`,
        );
      }
      if (!config.log.json && config.log.level !== "silent")
        process.stderr.write(`\n  page, API and relay: ${agent.url}\n\n`);
      if (signalled) {
        await agent.close();
        inspection?.stop();
        return;
      }
      if (options.retry) {
        const failed = await agent.runtime
          .waitForLease((view) => view.state !== "undeployed")
          .then((view) => isInState(view.state, "failed.idle"))
          .catch(() => false);
        if (failed) {
          logger.info("the lease had failed: deploying again (--retry)");
          agent.runtime.send({ type: "LEASE.RETRY" }, "command line");
        }
      }

      let stopping = false;
      const stop = async (code: number) => {
        if (stopping) return;
        stopping = true;
        await agent.close();
        inspection?.stop();
        logger.info("agent stopped");
        process.exitCode = code;
      };

      const handover =
        config.agent.handover === "auto" && (options.until === undefined || options.until === HANDED_OVER)
          ? takenBack
            ? handOverOnceMoved({
                config,
                keys,
                keystore,
                logger,
                agent,
                lost: takenBack.lostLeader,
              })
            : startHandover({ config, keys, keystore, logger, agent })
          : null;

      if (options.until === HANDED_OVER) {
        const outcome = await Promise.race([
          (handover ?? Promise.resolve(null)).catch((error: unknown) => error as Error),
          interrupted.then(() => "interrupted" as const),
          // A lease that fails first never becomes active: there is nothing to hand over to.
          agent.runtime
            .waitForLease((current) => isInState(current.state, "failed"))
            .then(
              () => "failed" as const,
              () => new Promise<never>(() => {}),
            ),
        ]);
        if (outcome === "interrupted") {
          logger.info(`interrupted: stopping (${whatStays})`);
          await stop(130);
        } else if (outcome === "failed") {
          process.stderr.write(
            `akash-agent: no handover: the lease failed first (${failureReason(agent.runtime)}); fix the cause, then run again with the same --data and --retry\n`,
          );
          await stop(1);
        } else if (outcome instanceof Error || outcome === null) {
          process.stderr.write(
            `akash-agent: no handover: ${outcome === null ? "the deployed image does not offer activation (agent.handover is off, or the image is not this agent)" : `${outcome.message}; run again with the same --data to finish it`}\n`,
          );
          await stop(1);
        } else {
          print(options.json ? JSON.stringify(outcome) : describeHandover(outcome));
          await stop(0);
        }
        return;
      }

      if (options.until) {
        const wanted = options.until;
        const reached = await Promise.race([
          agent.runtime
            .waitForLease((current) => isInState(current.state, wanted) || isInState(current.state, "failed"))
            .catch(() => null),
          interrupted.then(() => null),
        ]);
        if (signalled) {
          logger.info(`interrupted: stopping (${whatStays})`);
          await stop(130);
          return;
        }
        if (reached && isInState(reached.state, wanted)) {
          printView(reached, options.json);
          await stop(0);
          return;
        }
        const view = agent.runtime.lease();
        process.stderr.write(
          `akash-agent: the lease did not reach ${wanted}: it is ${view?.state ?? "not started"} (${failureReason(agent.runtime)})\n`,
        );
        if (view) printView(view, options.json);
        await stop(1);
        return;
      }

      const handedOver = handover
        ? handover.then(
            (result) => result,
            (error: unknown) => error as Error,
          )
        : new Promise<null>(() => {});
      const first = await Promise.race([interrupted.then(() => "interrupted" as const), handedOver]);
      if (first instanceof Error) {
        process.stderr.write(
          `akash-agent: the handover did not finish: ${first.message}; run again with the same --data to finish it\n`,
        );
        await stop(1);
        return;
      }
      if (first !== "interrupted" && first !== null && follow && managedDevnet) {
        await stop(0);
        devnetOfRun.following();
        await followDeployedAgent({
          config,
          dataDir: context.config.dataDir,
          devnet: managedDevnet,
          leader: { ...first.leader, generation: first.generation },
          pubkey: keys.identity.nostrPubkey,
          existing: false,
          interrupted,
          logger,
        });
        return;
      }
      if (first !== "interrupted" && first !== null) {
        process.stderr.write(`\n${describeHandover(first)}\n\n`);
        if (options.guardian && !inProcessDevnet) {
          await stop(0);
          const { guardAgent } = await import("./run-guardian.js");
          process.exitCode = await guardAgent({ config, logger, fund, interrupted });
          return;
        }
        if (!inProcessDevnet) {
          await stop(0);
          return;
        }
        const following = followRemote(first.leader.uri, logger);
        await interrupted;
        following.stop();
        logger.info(
          "interrupted: stopping; the embedded devnet stops with this process, and the deployed agent with it",
        );
        await stop(130);
        return;
      }
      if (first === null) await interrupted;
      if (!options.terminateOnExit) {
        logger.info(`interrupted: stopping (${whatStays})`);
      }
      if (options.terminateOnExit) {
        logger.info("closing the deployment before exiting (--terminate-on-exit)");
        agent.runtime.send({ type: "AGENT.SHUTDOWN", terminateLease: true }, "signal");
        await new Promise<void>((resolve) => {
          agent.runtime.actor.subscribe({ complete: () => resolve() });
          if (agent.runtime.actor.getSnapshot().status !== "active") resolve();
          setTimeout(resolve, config.timeouts.shutdownMs).unref();
        });
      }
      await stop(0);
    });
}
