import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { keystorePath } from "../cli/keystore-access.js";
import { type AgentConfig, loadConfig } from "../config/index.js";
import { UsageError } from "../errors.js";
import type { Logger } from "../logging/index.js";
import { sendError, sendJson } from "../server/json-response.js";
import {
  ACTIVATION_REFUSALS_FILE,
  ActivationEndpoint,
  ActivationRefusalLog,
  EphemeralActivationKey,
  type OpenedActivation,
} from "../services/activation/index.js";
import { inspectExport } from "../services/backup/store-export.js";
import { writeFileAtomic } from "../services/keys/atomic-write.js";
import { AgentKeys, FileKeystore, secretString } from "../services/keys/index.js";
import { DEFAULT_DATABASE_FILE, type Leadership, openAgentStore } from "../services/store/index.js";
import type { CanaryStatus, SelfTestReport } from "../services/upgrade/index.js";
import { type AgentVersion, agentVersion } from "./agent-version.js";
import { activationCrashPointFromEnv } from "./handover-crash-point.js";
import type { MovedRelay } from "./moved-relay.js";
import { nonActingStatus } from "./non-acting-status.js";

/** Public facts of the deployment the instance runs in: its manifest's env and the provider's. */
export interface DeployedManifest {
  readonly agentId: string;
  readonly nonce: string;
  /** The deployment's owner (AKASH_OWNER): the Akash address the activating keystore must derive. */
  readonly owner: string;
  readonly dseq: string;
  readonly provider: string;
}

const MANIFEST_ENV = {
  agentId: "AGENT_ID",
  nonce: "AGENT_ACTIVATION_NONCE",
  owner: "AKASH_OWNER",
  dseq: "AKASH_DEPLOYMENT_SEQUENCE",
  provider: "AKASH_PROVIDER",
} as const;

/** Reads the deployment's public facts, naming each missing variable. */
export function readDeployedManifest(env: NodeJS.ProcessEnv): DeployedManifest {
  const missing = Object.values(MANIFEST_ENV).filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new UsageError(
      `AGENT_ROLE=deployed needs ${missing.join(", ")} in the environment (the SDL's manifest and the provider set them): start the agent image through a deployment, or run without AGENT_ROLE=deployed`,
    );
  }
  const read = (key: keyof typeof MANIFEST_ENV) => env[MANIFEST_ENV[key]] as string;
  return {
    agentId: read("agentId"),
    nonce: read("nonce"),
    owner: read("owner"),
    dseq: read("dseq"),
    provider: read("provider"),
  };
}

/** Files the instance keeps beside its store. The passphrase only keeps the keystore off plain disk. */
const ACTIVATED_CONFIG_FILE = "activated-config.json";
const PASSPHRASE_FILE = "instance-passphrase";
const ACTIVATION_RECORD_FILE = "activation.json";
/** A canary's public facts (the relay it syncs from), so that a restart runs its self-test again. */
const CANARY_FILE = "canary.json";

export interface ActivatedAgent {
  readonly config: AgentConfig;
  readonly keys: AgentKeys;
  readonly keystore: FileKeystore;
}

/** The instance's config once activated: the leader's settings, under this instance's own environment. */
function activatedConfig(dataDir: string, env: NodeJS.ProcessEnv): AgentConfig {
  return loadConfig({ file: join(dataDir, ACTIVATED_CONFIG_FILE), env });
}

function instanceKeystore(config: AgentConfig, dataDir: string): FileKeystore {
  const passphrase = readFileSync(join(dataDir, PASSPHRASE_FILE), "utf8").trim();
  return new FileKeystore({
    path: keystorePath({ ...config, dataDir }),
    passphrase: secretString(passphrase),
  });
}

function readLeadership(dataDir: string): Leadership | null {
  if (!existsSync(join(dataDir, DEFAULT_DATABASE_FILE))) return null;
  const store = openAgentStore({ dataDir });
  try {
    return store.leadership.current();
  } finally {
    store.close();
  }
}

/**
 * Writes what an activation brought, each file atomically, the store last but one and the leadership
 * last: an instance that crashes half-way is still `awaiting_activation` after its restart (no
 * `leading` row), and the leader's repeated POST writes everything again.
 */
async function persistActivation(
  opened: OpenedActivation,
  manifest: DeployedManifest,
  dataDir: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const canary = opened.mode === "canary";
  // Refuses (before anything is written) an image that is not an agent store this build can open.
  inspectExport(opened.store);
  await writeFileAtomic(join(dataDir, ACTIVATED_CONFIG_FILE), JSON.stringify(opened.settings));
  if (canary)
    await writeFileAtomic(join(dataDir, CANARY_FILE), JSON.stringify({ syncFrom: opened.syncFrom ?? "" }));
  await writeFileAtomic(join(dataDir, PASSPHRASE_FILE), randomBytes(32).toString("base64url"));
  const config = activatedConfig(dataDir, env);
  await instanceKeystore(config, dataDir).save(opened.contents);
  for (const suffix of ["-wal", "-shm", "-journal"]) {
    rmSync(join(dataDir, `${DEFAULT_DATABASE_FILE}${suffix}`), { force: true });
  }
  await writeFileAtomic(join(dataDir, DEFAULT_DATABASE_FILE), opened.store);
  const store = openAgentStore({ dataDir });
  try {
    // A canary holds the state of the generation that leads now; its promotion leads the next one.
    store.leadership.record({
      generation: canary ? opened.generation - 1 : opened.generation,
      state: canary ? "canary" : "leading",
      leader: { dseq: manifest.dseq, provider: manifest.provider, uri: "" },
    });
  } finally {
    store.close();
  }
}

async function loadActivated(dataDir: string, env: NodeJS.ProcessEnv): Promise<ActivatedAgent> {
  const config = activatedConfig(dataDir, env);
  const keystore = instanceKeystore(config, dataDir);
  return { config: { ...config, dataDir }, keys: AgentKeys.fromContents(await keystore.load()), keystore };
}

/**
 * The only routes of an instance that does not act: awaiting activation, or handed over (then with the
 * reads of its relay, when it has one).
 */
function startWaitingServer(
  config: AgentConfig,
  route: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  relay?: MovedRelay | null,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, error instanceof Error ? error.message : String(error));
    });
  });
  if (relay) server.on("upgrade", relay.upgrade);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.http.port, config.http.host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://${config.http.host}:${port}` });
    });
  });
}

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

export interface DeployedInstanceOptions {
  readonly config: AgentConfig;
  readonly logger: Logger;
  readonly env: NodeJS.ProcessEnv;
  /** Starts the agent process (relay, routes, actors) once activated, on the same HTTP port. */
  readonly startAgent: (agent: ActivatedAgent) => Promise<{ close(): Promise<void> }>;
}

/**
 * The agent image inside its lease (DESIGN §12). Without a store that leads, it waits for activation:
 * GET/POST /api/activation, /healthz, and /api/status saying so. Once activated (or restarted after
 * it was) it runs the agent as the leader of its generation. A store that handed over or was
 * superseded never acts again: it only says where the agent went.
 */
export async function runDeployedInstance(
  options: DeployedInstanceOptions,
): Promise<{ close(): Promise<void> }> {
  const { config, logger, env } = options;
  const manifest = readDeployedManifest(env);
  const version = agentVersion(config, env);
  const dataDir = config.dataDir;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const leadership = readLeadership(dataDir);
  const crashAt = activationCrashPointFromEnv(manifest.agentId, env);
  // The activation record is written last, after the acknowledgement is signed: a store that leads
  // without it is an activation that crashed half-way, which the leader's retry writes again.
  const recorded = existsSync(join(dataDir, ACTIVATION_RECORD_FILE));

  if (leadership?.state === "leading" && leadership.generation > 0 && recorded) {
    logger.info({ generation: leadership.generation }, "activated before: resuming as the agent's leader");
    return options.startAgent(await loadActivated(dataDir, env));
  }
  if (leadership?.state === "standby") return standByAfterRestart(options, manifest, version);
  if (leadership && !["leading", "handing_over", "canary"].includes(leadership.state)) {
    const relay = await movedRelay(dataDir, env, leadership, logger);
    const { server, url } = await startWaitingServer(
      config,
      async (req, res) => {
        if (req.url === "/healthz") return sendJson(res, 200, { ok: true });
        if (req.url === "/api/status") return sendJson(res, 200, nonActingStatus(leadership, version));
        sendError(
          res,
          503,
          `this instance ${leadership.state} (generation ${leadership.generation}) and does not act`,
        );
      },
      relay,
    );
    logger.warn({ url, ...leadership }, "this instance no longer leads the agent: it does not act");
    return {
      async close() {
        await closeServer(server);
        await relay?.close();
      },
    };
  }

  const ephemeral = EphemeralActivationKey.generate();
  // An upgrade's canary (issue 18): its self-test's report, and the test itself while it runs.
  let canary: { report: SelfTestReport; done: Promise<void> } | null = null;
  const testCanary = (keys: AgentKeys, syncFrom: string) => {
    const relay = activatedConfig(dataDir, env).agent;
    const running = { report: RUNNING_SELF_TEST, done: Promise.resolve() };
    // Loaded here, not at start: it pulls in the agent's machines and relay, and an instance awaiting
    // activation must answer its provider's readiness probe as soon as it can.
    running.done = import("./canary-self-test.js")
      .then(({ runCanarySelfTest }) =>
        runCanarySelfTest({
          dataDir,
          keys,
          syncFrom,
          relay: { hostname: relay.relayDomain, name: relay.relayName },
          logger,
        }),
      )
      .then((report) => {
        running.report = report;
      });
    canary = running;
  };
  if (leadership?.state === "canary") {
    logger.info("an upgrade's canary, restarted: running its self-test again");
    testCanary((await loadActivated(dataDir, env)).keys, readCanarySource(dataDir));
  }
  let received: ActivatedAgent | null = null;
  /** A first canary activation of this process, whose acknowledgement is being sent. */
  let canaryAcknowledging = false;
  let activated: (() => void) | undefined;
  const activation = new Promise<void>((resolve) => {
    activated = resolve;
  });
  const endpoint = new ActivationEndpoint({
    expected: manifest,
    ephemeral,
    recordPath: join(dataDir, ACTIVATION_RECORD_FILE),
    onActivated: async (opened) => {
      // A promotion waits for a self-test under way: it replaces the store that test reads.
      await canary?.done;
      await persistActivation(opened, manifest, dataDir, env);
      if (opened.mode === "canary") {
        // Only on a first attempt, as below: the restarted canary takes the leader's retry.
        if (leadership === null) {
          crashAt("canary-persisted");
          canaryAcknowledging = true;
        }
        testCanary(opened.keys, opened.syncFrom ?? "");
        return;
      }
      // What was just written, without a second scrypt to read it back: the agent starts sooner.
      const config = activatedConfig(dataDir, env);
      received = {
        config: { ...config, dataDir },
        keys: opened.keys,
        keystore: instanceKeystore(config, dataDir),
      };
      // Only on a first attempt: the restarted instance takes the leader's retry.
      if (leadership === null) crashAt("persisted");
    },
    // Kept on the volume: the agent this instance becomes alerts about them (it holds no key yet).
    refusalLog: new ActivationRefusalLog(join(dataDir, ACTIVATION_REFUSALS_FILE)),
    logger,
  });
  const { server, url } = await startWaitingServer(config, async (req, res) => {
    if (await endpoint.handle(req, res)) {
      if (endpoint.offer().state === "activated") activated?.();
      if (canaryAcknowledging && endpoint.offer().state === "canary") {
        canaryAcknowledging = false;
        // As for a leader's: the acknowledgement is on its way first.
        setTimeout(() => crashAt("canary-acknowledged"), 100);
      }
      return;
    }
    if (req.url === "/healthz") return sendJson(res, 200, { ok: true });
    const trial = canary as { report: SelfTestReport } | null;
    if (req.url === "/readyz") {
      if (!trial) return sendError(res, 503, "awaiting activation");
      if (trial.report.state !== "passed") return sendError(res, 503, `canary: ${trial.report.detail}`);
      return sendJson(res, 200, { ok: true, canary: true });
    }
    if (req.url === "/api/status") {
      if (!trial)
        return sendJson(res, 200, { state: "awaiting_activation", agentId: manifest.agentId, version });
      const status: CanaryStatus = { state: "canary", agentId: manifest.agentId, selfTest: trial.report };
      return sendJson(res, 200, { ...status, version });
    }
    sendError(res, 503, "this agent instance is awaiting activation");
  });
  logger.info(
    { url, agentId: manifest.agentId, dseq: manifest.dseq },
    "deployed instance awaiting activation (GET /api/activation)",
  );
  let running: { close(): Promise<void> } | null = null;
  let closed = false;
  const started = activation.then(async () => {
    // The acknowledgement is on its way; the port passes from the waiting routes to the agent's.
    await new Promise((resolve) => setTimeout(resolve, 100));
    crashAt("acknowledged");
    await closeServer(server);
    if (closed) return;
    logger.info("activated: starting the agent as its leader");
    running = await options.startAgent(received ?? (await loadActivated(dataDir, env)));
  });
  started.catch((error: unknown) => {
    // Exiting lets the provider restart the instance, which then resumes as the leader it became.
    logger.fatal({ err: error }, "the activated agent could not start");
    process.exit(1);
  });
  return {
    async close() {
      closed = true;
      await closeServer(server);
      await running?.close();
    },
  };
}

const RUNNING_SELF_TEST: SelfTestReport = {
  state: "running",
  detail: "restoring the agent's state and copying the relay",
  syncedEvents: 0,
};

/** The relay a canary syncs from, as its activation said (empty when the file is missing). */
function readCanarySource(dataDir: string): string {
  try {
    const parsed = JSON.parse(readFileSync(join(dataDir, CANARY_FILE), "utf8")) as { syncFrom?: unknown };
    return typeof parsed.syncFrom === "string" ? parsed.syncFrom : "";
  } catch {
    return "";
  }
}

/** The relay of an activated instance that no longer acts, serving reads only (null without one). */
async function movedRelay(
  dataDir: string,
  env: NodeJS.ProcessEnv,
  leadership: Leadership,
  logger: Logger,
): Promise<MovedRelay | null> {
  if (!existsSync(join(dataDir, ACTIVATED_CONFIG_FILE))) return null;
  const { relayDomain, relayName } = activatedConfig(dataDir, env).agent;
  // Loaded only here, as the canary's self-test and the standby's watch: it pulls in the relay.
  const { openMovedRelay } = await import("./moved-relay.js");
  return openMovedRelay({
    dataDir,
    relay: { hostname: relayDomain, name: relayName },
    pubkey: env.AGENT_NOSTR_PUBKEY ?? "",
    leadership,
    logger,
  });
}

/**
 * An old instance restarted within an upgrade's rollback window (issue 18): it does not act, says where
 * the agent went, serves reads of its relay, keeps copying the new leader's relay events and watching
 * the new leader; taking the agent back, it exits so that its provider restarts it as the leader.
 */
async function standByAfterRestart(
  options: DeployedInstanceOptions,
  manifest: DeployedManifest,
  version: AgentVersion,
): Promise<{ close(): Promise<void> }> {
  const { config, logger, env } = options;
  const settings = activatedConfig(config.dataDir, env).upgrade;
  const store = openAgentStore({ dataDir: config.dataDir });
  const { followNewLeaderRelay, STANDBY_RESTART_EXIT_CODE, watchNewLeader } = await import(
    "./upgrade-standby.js"
  );
  const relay = await movedRelay(config.dataDir, env, store.leadership.current(), logger);
  const follower = relay ? followNewLeaderRelay({ store, sink: relay, logger }) : null;
  const watch = watchNewLeader({
    store,
    agentId: manifest.agentId,
    windowMs: settings.rollbackWindowMinutes * 60_000,
    intervalMs: settings.checkIntervalMs,
    failedChecks: settings.failedChecks,
    logger,
    onTakenBack: () => {
      void (follower?.stop() ?? Promise.resolve()).finally(() => {
        store.close();
        process.exit(STANDBY_RESTART_EXIT_CODE);
      });
    },
    onWindowOver: () => void follower?.stop(),
  });
  const { server } = await startWaitingServer(
    config,
    async (req, res) => {
      if (req.url === "/healthz") return sendJson(res, 200, { ok: true });
      if (req.url === "/api/status")
        return sendJson(res, 200, nonActingStatus(store.leadership.current(), version));
      sendError(res, 503, "this instance stands by after an upgrade and does not act");
    },
    relay,
  );
  return {
    async close() {
      watch.stop();
      await follower?.stop();
      await closeServer(server);
      await relay?.close();
      store.close();
    },
  };
}
