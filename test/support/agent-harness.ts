import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InspectionEvent } from "xstate";
import { ScriptedMetrics } from "../../src/actors/metrics-source.js";
import { loadConfig } from "../../src/config/index.js";
import type { DevnetHandle } from "../../src/devnet/index.js";
import { createLogger } from "../../src/logging/index.js";
import { type LaunchedAgent, launchAgent } from "../../src/runtime/launch-agent.js";
import { isInState, type LeaseView } from "../../src/runtime/lease-view.js";
import {
  AgentKeys,
  EnvKeystore,
  FileKeystore,
  generateMnemonic,
  knownSecretValues,
  secretString,
} from "../../src/services/keys/index.js";

/** Settings that make a whole lifecycle fit in seconds on a devnet with ~100 ms blocks. */
export const fastAgentSettings: Record<string, unknown> = {
  "intervals.healthCheckMs": 300,
  "intervals.balancePollMs": 500,
  "intervals.chainPollMs": 100,
  "intervals.baseBackoffMs": 50,
  "intervals.maxBackoffMs": 500,
  "intervals.stepRetries": 3,
  "timeouts.leaseConfirmMs": 10_000,
  "timeouts.servicesReadyMs": 15_000,
  "timeouts.mintSettleMs": 15_000,
  "timeouts.slowProviderMs": 1_000,
  "timeouts.treasuryRequestMs": 5_000,
  "timeouts.shutdownMs": 30_000,
  "bidding.minBids": 3,
  "bidding.windowMs": 5_000,
  "thresholds.degradedAfterFailures": 2,
  // The lifecycle tests' runway figures are for the seed's three services (what providers bid for them).
  "agent.sdlProfile": "nostream",
  "log.level": "silent",
};

/**
 * How long an agent waits for a deployment whose provider runs agent processes (`agentProcessOptions`)
 * rather than placeholders: such a process is ready in a few seconds alone, but took over 15 s beside
 * other devnet tests on a loaded 2-core machine.
 */
export const DEPLOYED_AGENT_READY_MS = 45_000;

/** `fastAgentSettings` for an agent whose providers run agent processes. */
export const deployedAgentSettings: Record<string, unknown> = {
  ...fastAgentSettings,
  "timeouts.servicesReadyMs": DEPLOYED_AGENT_READY_MS,
};

export interface TestAgent extends LaunchedAgent {
  mnemonic: string;
  address: string;
  metrics: ScriptedMetrics;
  dataDir: string;
  /** Resolves once the lease is in `state` (or a sub-state of it). */
  until(state: string, predicate?: (view: LeaseView) => boolean): Promise<LeaseView>;
}

async function fileKeystoreOf(from: EnvKeystore, dataDir: string): Promise<FileKeystore> {
  const file = new FileKeystore({
    path: join(dataDir, "test-keystore.json"),
    passphrase: secretString("test keystore passphrase"),
    scrypt: { N: 2 ** 10, r: 8, p: 1 },
  });
  if (!(await file.exists())) await file.save(await from.load());
  return file;
}

/** Launches the real agent (actors, services, store) in this process against a running devnet. */
export async function startTestAgent(
  devnet: DevnetHandle,
  options: {
    settings?: Record<string, unknown>;
    mnemonic?: string;
    dataDir?: string;
    logLevel?: string;
    /** Extra inspection of the agent's actor system (e.g. the live page's feed). */
    inspect?: (event: InspectionEvent) => void;
    /** Where log lines go (JSON); default stderr. */
    logDestination?: NodeJS.WritableStream;
    /** More of the environment keystore, e.g. `AGENT_ARWEAVE_JWK` for an agent that backs itself up. */
    keystoreEnv?: Record<string, string>;
    /** How the devnet funds the agent: both accounts (default) or only its EVM address. */
    fund?: "all" | "cro-only";
    /**
     * Keep the keys in an encrypted file (cheap scrypt) rather than the environment, so what the agent
     * saves to its keystore (a rotated index, its children's Arweave wallets) is kept.
     */
    durableKeystore?: boolean;
    /** The agent's wall clock (default Date.now), e.g. one a test can jump. */
    now?: () => number;
  } = {},
): Promise<TestAgent> {
  const mnemonic = options.mnemonic ?? generateMnemonic().reveal();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "agent-run-"));
  const config = loadConfig({
    env: {},
    flags: {
      network: "devnet",
      dataDir,
      "devnet.url": devnet.control,
      ...fastAgentSettings,
      ...(options.logLevel ? { "log.level": options.logLevel } : {}),
      ...(process.env.TEST_AGENT_LOG ? { "log.level": process.env.TEST_AGENT_LOG } : {}),
      ...options.settings,
    },
  });
  const envKeystore = new EnvKeystore({ env: { ...options.keystoreEnv, AGENT_MNEMONIC: mnemonic } });
  const keystore = options.durableKeystore ? await fileKeystoreOf(envKeystore, dataDir) : envKeystore;
  const keys = AgentKeys.fromContents(await keystore.load());
  const metrics = new ScriptedMetrics();
  const logger = createLogger({
    level: config.log.level,
    json: true,
    secrets: knownSecretValues,
    ...(options.logDestination ? { destination: options.logDestination as never } : {}),
  });
  const launched = await launchAgent({
    config,
    keys,
    keystore,
    logger,
    metrics,
    ...(options.inspect ? { inspect: options.inspect } : {}),
    ...(options.fund ? { fund: options.fund } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    ...launched,
    mnemonic,
    address: keys.identity.akash,
    metrics,
    dataDir,
    until: (state, predicate = () => true) =>
      launched.runtime.waitForLease((view) => isInState(view.state, state) && predicate(view)),
  };
}
