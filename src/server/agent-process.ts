import type { InspectionEvent } from "xstate";
import { HANDOVER_INTENT_KIND } from "../actors/handover-actor.js";
import type { MetricsSource } from "../actors/metrics-source.js";
import type { SelfHosting } from "../actors/self-hosting.js";
import { relayUriOf } from "../domain/index.js";
import { createLivePage, type LivePage } from "../live/live-page.js";
import { leaseMachine } from "../machines/index.js";
import { refusedActivationAlert } from "../runtime/activation-refusal-alerts.js";
import { type AgentVersion, agentVersion } from "../runtime/agent-version.js";
import { watchOwnGeneration } from "../runtime/generation-watch.js";
import { upgradeOnChangedImage } from "../runtime/image-setting-watch.js";
import { type LaunchedAgent, type LaunchOptions, launchAgent } from "../runtime/launch-agent.js";
import type { LeaseView } from "../runtime/lease-view.js";
import { publicSettings } from "../runtime/public-settings.js";
import { raiseStandaloneAlert } from "../runtime/standalone-alert.js";
import {
  followNewLeaderRelay,
  STANDBY_RESTART_EXIT_CODE,
  watchNewLeader,
} from "../runtime/upgrade-standby.js";
import { nostrRelaysOf } from "../runtime/voice-setup.js";
import type { RaisedAlert } from "../services/alerts/alert-dispatcher.js";
import { RelayMetricsSource } from "../services/metrics/index.js";
import { AgentRelay, readAllEvents } from "../services/relay/index.js";
import type { LeaderLocation } from "../services/store/index.js";
import type { ActivationRecordRoute } from "./activation-record-route.js";
import { AdminApi } from "./admin-api.js";
import { AgentHttpServer } from "./agent-http-server.js";
import { AgentMetrics } from "./agent-metrics.js";
import { AgentSystemView } from "./agent-system-view.js";
import { SeenAuthEvents } from "./seen-auth-events.js";

/** How long readiness waits for the chain to answer. */
const CHAIN_PROBE_MS = 2_000;

export interface AgentProcessOptions extends Omit<LaunchOptions, "metrics" | "inspect"> {
  /** Where the health monitor's usage comes from; default: the agent's own relay. */
  metrics?: MetricsSource;
  /** The live page on `GET /` and `/live`; default: the agent's own (src/live). */
  livePage?: LivePage;
  /** Further inspection (e.g. `--inspect`). */
  inspect?: (event: InspectionEvent) => void;
  /** Role deployed: the activation record `/api/activation` keeps answering from. */
  activation?: ActivationRecordRoute;
}

export interface AgentProcess extends LaunchedAgent {
  readonly relay: AgentRelay;
  readonly http: AgentHttpServer;
  readonly metrics: AgentMetrics;
  readonly view: AgentSystemView;
  /** The HTTP server's base URL. */
  readonly url: string;
  /** The /api/status JSON. */
  status(): StatusJson;
}

/** `status --json`'s lease view plus each actor's state. */
export type StatusJson = LeaseView & {
  actors: ReturnType<AgentSystemView["actors"]>;
  /** Which generation this process leads (DESIGN §12), when it is known. */
  leadership?: { generation: number; state: string; leader?: LeaderLocation };
  /** Which build runs: package version and the image it runs as. */
  version: AgentVersion;
};

const NOT_STARTED: LeaseView = {
  state: "not started",
  dseq: null,
  provider: null,
  uris: [],
  escrowRunwayHours: null,
};

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * The agent as a service: its relay (events in SQLite under the data directory, traffic measured as
 * the health monitor's metrics source), the agent's actor system, and one HTTP port for the relay,
 * the routes, the metrics and the NIP-98 admin API.
 */
export async function startAgentProcess(options: AgentProcessOptions): Promise<AgentProcess> {
  const { config, keys, logger } = options;
  const version = agentVersion(config);
  const relay = await AgentRelay.open({
    dataDir: config.dataDir,
    hostname: config.agent.relayDomain,
    name: config.agent.relayName,
    pubkey: keys.identity.nostrPubkey,
    onError: (message) => logger.warn({ relay: message }, "relay error"),
  });
  let view: AgentSystemView | null = null;
  let launched: LaunchedAgent | null = null;
  const metricsSource =
    options.metrics ??
    new RelayMetricsSource({
      traffic: () => relay.traffic(),
      allocation: () => view?.leaseResources() ?? null,
    });
  const leaseStates = Object.keys(leaseMachine.root.states);
  const metrics = new AgentMetrics({
    leaseStates,
    leaseState: () => view?.leaseTopState() ?? null,
    escrowRunwayHours: () => launched?.runtime.lease()?.escrowRunwayHours ?? null,
    balances: () => view?.balances() ?? null,
    bids: () => view?.bids() ?? { bids: [], chosen: null },
    lastHealthReport: () => view?.lastHealthReport() ?? null,
    persistenceWrites: () => launched?.runtime.persister.writes ?? 0,
    relayTraffic: () => (relay.isOpen ? relay.traffic() : null),
    db: () => launched?.store.db ?? null,
    version,
  });
  const seen = new SeenAuthEvents(config.dataDir);
  let status: () => StatusJson = () => ({ ...NOT_STARTED, actors: {}, version });
  const livePage = options.livePage ?? createLivePage({ status: () => status(), logger });
  let standing: { stop(): Promise<void> } | null = null;
  // Not from inside the actor that reports it: its machine is stopped on the next turn.
  const stopActing = () =>
    setImmediate(() => {
      launched?.backups?.stop();
      launched?.runtime.stop();
    });
  const selfHosting: SelfHosting | undefined =
    config.role === "deployed"
      ? {
          settings: () => publicSettings(config),
          importRelayEvents: async (uri) => relay.importEvents(await readAllEvents(relayUriOf([uri]) ?? uri)),
          handedOver: ({ generation, leader, standby }) => {
            logger.info(
              { generation, ...leader, standby: standby === true },
              "handed over: this instance stops acting and keeps its status page",
            );
            // Nothing accepted here from now on could reach the new relay's copy of these events.
            relay.refuseWrites(
              `this relay moved to ${relayUriOf([leader.uri]) ?? leader.uri} (generation ${generation})`,
            );
            stopActing();
            if (standby && launched && !standing) standing = standBy(options, launched.store, relay);
          },
        }
      : undefined;
  try {
    launched = await launchAgent({
      ...options,
      ...(selfHosting ? { selfHosting } : {}),
      metrics: metricsSource,
      version,
      relayTraffic: () => (relay.isOpen ? relay.traffic() : null),
      inspect: (event) => {
        metrics.inspect(event);
        livePage.inspect(event);
        options.inspect?.(event);
      },
    });
  } catch (error) {
    seen.close();
    await livePage.close();
    await relay.close();
    throw error;
  }
  const agent = launched;
  const generationWatch = config.role === "deployed" ? followOwnGeneration(options, agent, stopActing) : null;
  if (options.activation) alertRefusedActivations(options, agent, options.activation);
  upgradeOnChangedImage({
    runtime: agent.runtime,
    image: config.agent.image,
    monitorMs: config.upgrade.monitorMinutes * 60_000,
    rollbackWindowMs: config.upgrade.rollbackWindowMinutes * 60_000,
    logger,
  });
  const systemView = new AgentSystemView(agent.runtime);
  view = systemView;
  status = (): StatusJson => {
    const { generation, state, leader } = agent.store.leadership.current();
    return {
      ...(agent.runtime.lease() ?? NOT_STARTED),
      actors: systemView.actors(),
      // Where the agent went, once this instance no longer leads (`upgrade --wait` follows it).
      leadership: { generation, state, ...(state !== "leading" && leader ? { leader } : {}) },
      version,
    };
  };
  const admin = new AdminApi({
    runtime: agent.runtime,
    view: systemView,
    logger,
    ownPubkey: keys.identity.nostrPubkey,
    npubs: config.admin.npubs,
    upgrade: {
      monitorMs: config.upgrade.monitorMinutes * 60_000,
      rollbackWindowMs: config.upgrade.rollbackWindowMinutes * 60_000,
      configuredImage: config.agent.image,
    },
  });
  const http = new AgentHttpServer({
    host: config.http.host,
    port: config.http.port,
    relay,
    metrics,
    admin,
    seen,
    logger,
    status,
    notReady: async () => {
      const reasons: string[] = [];
      if (!agent.store.db.open) reasons.push("the agent's store is closed");
      if (!relay.isOpen) reasons.push("the relay's event store is closed");
      await withTimeout(agent.connection.chain.height(), CHAIN_PROBE_MS, "the chain").catch(
        (error: unknown) => reasons.push(`the chain is not reachable: ${(error as Error).message}`),
      );
      if (!agent.runtime.lease()?.dseq) reasons.push("no lease known yet");
      return reasons;
    },
    livePage,
    ...(options.activation ? { activation: options.activation } : {}),
  });
  let url: string;
  try {
    url = await http.listen();
  } catch (error) {
    generationWatch?.stop();
    await agent.close();
    seen.close();
    await livePage.close();
    await relay.close();
    throw error;
  }
  logger.info({ url }, `agent page and relay at ${url}`);
  return {
    ...agent,
    relay,
    http,
    metrics,
    view: systemView,
    url,
    status,
    async close() {
      await standing?.stop();
      generationWatch?.stop();
      await http.close();
      await livePage.close();
      await agent.close();
      seen.close();
      await relay.close();
    },
  };
}

/**
 * A deployed leader follows its own heartbeats: one of a later generation means it was superseded
 * (DESIGN §12). It then stops acting as after a handover, raises one alert and keeps its status page.
 */
function followOwnGeneration(
  options: AgentProcessOptions,
  agent: LaunchedAgent,
  stopActing: () => void,
): { stop(): void } {
  const { config, keys, logger } = options;
  const relays = nostrRelaysOf(config, agent.connection.nostrRelay);
  return watchOwnGeneration({
    relays,
    pubkey: keys.identity.nostrPubkey,
    leadership: agent.store.leadership,
    handingOverTo: () => {
      const handover = agent.store.intents.pending().find((intent) => intent.kind === HANDOVER_INTENT_KIND);
      const generation = (handover?.payload as { generation?: unknown } | undefined)?.generation;
      return typeof generation === "number" ? generation : null;
    },
    logger,
    onSuperseded: (heartbeat) => {
      stopActing();
      const where = heartbeat.relayUri ?? "an unknown place";
      raiseOutsideActors(options, agent, {
        id: `superseded-generation-${heartbeat.generation}`,
        severity: "high",
        title: "Agent instance superseded",
        message: `A heartbeat of generation ${heartbeat.generation} (relay ${where}, provider ${heartbeat.provider ?? "unknown"}) shows another instance leading: this one stopped acting and only serves its status.`,
        source: "leadership",
        incident: `superseded-${heartbeat.generation}`,
      });
    },
  });
}

/**
 * After an upgrade's handover the old instance stands by (issue 18): it watches the new leader for the
 * rollback window and copies its relay's new events, and if it takes the agent back it exits, so that
 * its provider restarts it and it leads again from its own state, events included.
 */
function standBy(
  options: AgentProcessOptions,
  store: LaunchedAgent["store"],
  relay: AgentRelay,
): { stop(): Promise<void> } {
  const { config, keys, logger } = options;
  const follower = followNewLeaderRelay({ store, sink: relay, logger });
  const watch = watchNewLeader({
    store,
    agentId: keys.identity.agentId,
    windowMs: config.upgrade.rollbackWindowMinutes * 60_000,
    intervalMs: config.upgrade.checkIntervalMs,
    failedChecks: config.upgrade.failedChecks,
    logger,
    onTakenBack: () => {
      logger.warn("took the agent back: restarting to lead from this instance's own state");
      void (follower?.stop() ?? Promise.resolve()).finally(() => process.exit(STANDBY_RESTART_EXIT_CODE));
    },
    onWindowOver: () => void follower?.stop(),
  });
  return {
    async stop() {
      watch.stop();
      await follower?.stop();
    },
  };
}

/** Raises an alert about the activation attempts this instance refused, now and after each new one. */
function alertRefusedActivations(
  options: AgentProcessOptions,
  agent: LaunchedAgent,
  route: ActivationRecordRoute,
): void {
  const refusals = route.refusals;
  if (!refusals) return;
  const raise = () => {
    const alert = refusedActivationAlert(
      refusals.current(),
      agent.store.leadership.current().generation,
      Date.now(),
    );
    if (alert) raiseOutsideActors(options, agent, alert);
  };
  raise();
  route.onRefused(raise);
}

/** Raises an alert from outside the actor system (stopped, or not the one that noticed), through the store's outbox. */
function raiseOutsideActors(options: AgentProcessOptions, agent: LaunchedAgent, alert: RaisedAlert): void {
  const { config, keys, logger } = options;
  void raiseStandaloneAlert({
    alert,
    config,
    keys,
    keystore: options.keystore,
    store: agent.store,
    relays: nostrRelaysOf(config, agent.connection.nostrRelay),
    logger,
  });
}
