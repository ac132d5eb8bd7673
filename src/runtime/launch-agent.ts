import { mkdirSync } from "node:fs";
import type { InspectionEvent } from "xstate";
import type { AgentServices } from "../actors/agent-services.js";
import type { FamilyTraffic } from "../actors/family-operations.js";
import type { MetricsSource } from "../actors/metrics-source.js";
import { createSdlFactory } from "../actors/sdl-factory.js";
import type { SelfHosting } from "../actors/self-hosting.js";
import type { AgentConfig } from "../config/index.js";
import type { Logger } from "../logging/index.js";
import type { AgentKeys, KeystoreBackend } from "../services/keys/index.js";
import { type AgentStore, openAgentStore } from "../services/store/index.js";
import { type AgentRuntime, startAgentRuntime } from "./agent-runtime.js";
import { actorSettingsFromConfig, agentSettingsFromConfig, feeReserveUakt } from "./agent-settings.js";
import { type AgentVersion, agentVersion } from "./agent-version.js";
import { openAkashAccounts } from "./akash-accounts-setup.js";
import { startBackups } from "./backup-launch.js";
import type { BackupRuntime } from "./backup-runtime.js";
import { requireChildCroWithinReach } from "./child-cro-check.js";
import { connectCronosTreasury } from "./cronos-treasury-setup.js";
import { createFamilyOperations } from "./family-setup.js";
import type { FundMode } from "./fund-mode.js";
import { planKeyRotation } from "./key-rotation-plan.js";
import { refuseIfLeaderElsewhere } from "./leader-elsewhere.js";
import { type ConnectOptions, connectNetwork, type NetworkConnection } from "./network-connection.js";
import { reproductionOptionsFromConfig } from "./reproduction-options.js";
import { createSiblingOperations } from "./sibling-setup.js";
import { nostrRelaysOf, setUpVoice } from "./voice-setup.js";

export interface LaunchOptions {
  config: AgentConfig;
  keys: AgentKeys;
  keystore: KeystoreBackend;
  logger: Logger;
  metrics: MetricsSource;
  devnetUrl?: string;
  devnetOptions?: ConnectOptions["devnetOptions"];
  now?: () => number;
  /** Extra inspection of the agent system (metrics, the live page, --inspect). */
  inspect?: (event: InspectionEvent) => void;
  /** On the devnet: fund both accounts (default) or only the EVM address (`run --fund cro-only`). */
  fund?: FundMode;
  /** When the agent runs inside its own lease: how it hands over to its next one. */
  selfHosting?: SelfHosting;
  /** The relay's traffic, for the reproduction triggers; absent: no load is seen. */
  relayTraffic?: () => FamilyTraffic | null;
  /** Which build runs, said in heartbeats; default: this build's (`agentVersion(config)`). */
  version?: AgentVersion;
}

export interface LaunchedAgent {
  runtime: AgentRuntime;
  connection: NetworkConnection;
  store: AgentStore;
  /** The backups to Arweave, when they run (see `startBackups`). */
  backups: BackupRuntime | null;
  /** Stops the agent (its lease stays), then closes the connection and the store. */
  close(): Promise<void>;
}

/** The devnet's control URL the deployed instance is told (AGENT_DEVNET_URL); none off the devnet. */
function devnetUrlForSdl(
  config: AgentConfig,
  connection: NetworkConnection,
  devnetUrl: string | undefined,
): { devnetUrl?: string } {
  if (config.network !== "devnet") return {};
  const url = devnetUrl ?? config.devnet.url ?? connection.devnet?.control;
  return url ? { devnetUrl: url } : {};
}

/** Opens the store, connects to the network, binds the actors and starts (or resumes) the agent. */
export async function launchAgent(options: LaunchOptions): Promise<LaunchedAgent> {
  const { config, keys, logger } = options;
  // Refuses a rotation the keystore cannot keep now, before anything starts.
  const rotation = planKeyRotation(config, options.keystore);
  for (const warning of rotation.warnings) logger.warn(warning);
  for (const note of rotation.notes) logger.info(note);
  mkdirSync(config.dataDir, { recursive: true });
  const store = openAgentStore({ dataDir: config.dataDir });
  let connection: NetworkConnection | undefined;
  let backups: BackupRuntime | null = null;
  let cronos: Awaited<ReturnType<typeof connectCronosTreasury>> | undefined;
  try {
    connection = await connectNetwork({
      config,
      wallets: await keys.akashWallets(),
      store,
      logger,
      ...(options.devnetUrl ? { devnetUrl: options.devnetUrl } : {}),
      ...(options.devnetOptions ? { devnetOptions: options.devnetOptions } : {}),
    });
    cronos = await connectCronosTreasury({
      config,
      connection,
      keys,
      logger,
      fund: options.fund ?? "all",
    });
    requireChildCroWithinReach(config, cronos);
    const timing = { blockSeconds: connection.blockSeconds };
    const configured = agentSettingsFromConfig(config, timing);
    const voiceRelays = nostrRelaysOf(config, connection.nostrRelay);
    const settings = {
      ...configured,
      keys: { ...configured.keys, rotating: rotation.rotating },
      reproduction: { ...configured.reproduction, heartbeatRelays: voiceRelays },
      siblingWatch: configured.siblingWatch ? { ...configured.siblingWatch, relays: voiceRelays } : null,
    };
    const voice = setUpVoice({
      config,
      keys,
      logger,
      networkRelay: connection.nostrRelay,
      now: options.now ?? Date.now,
      storedSecrets: (await options.keystore.load()).alertSecrets ?? {},
    });
    if (config.role === "bootstrap") {
      await refuseIfLeaderElsewhere({
        relays: voice.relays,
        pubkey: keys.identity.nostrPubkey,
        generation: store.leadership.current().generation,
        staleAfterMs: config.heartbeat.intervalMs * 3,
        now: options.now ?? Date.now,
        logger,
      });
    }
    const akashAccounts = openAkashAccounts(connection, keys, () => services.keys);
    let runtimeRef: AgentRuntime | null = null;
    const services: AgentServices = {
      chain: akashAccounts.chain,
      gateway: akashAccounts.gateway,
      akashAccounts,
      directory: connection.directory,
      store,
      keys,
      keystore: options.keystore,
      sdl: createSdlFactory({
        keys,
        identity: {
          agentId: keys.identity.agentId,
          akashAddress: keys.identity.akash,
          nostrPubkey: keys.identity.nostrPubkey,
          relayName: config.agent.relayName,
          relayDomain: config.agent.relayDomain,
          network: config.network,
          chainId: connection.chainId,
          role: config.agent.role,
          parentAgentId: config.agent.parentAgentId ?? null,
        },
        image: config.agent.image,
        profile: config.agent.sdlProfile,
        ...devnetUrlForSdl(config, connection, options.devnetUrl),
        budget: { targetUsdPerDay: config.budget.targetUsdPerDay, actUsd: config.budget.actUsd },
      }),
      metrics: options.metrics,
      logger,
      settings: actorSettingsFromConfig(config, {
        ...timing,
        pollIntervalMs: connection.pollIntervalMs,
        trustedAuditors: connection.auditors,
      }),
      now: options.now ?? Date.now,
      ...(connection.ingress ? { ingress: connection.ingress } : {}),
      ...(connection.faucet ? { faucet: connection.faucet } : {}),
      ...(cronos ? { cronos } : {}),
      ...(voice.announcer ? { announcer: voice.announcer } : {}),
      version: options.version ?? agentVersion(config),
      ...(options.selfHosting ? { selfHosting: options.selfHosting } : {}),
      childGrants: connection.childGrants,
      family: createFamilyOperations({
        config,
        keys: () => services.keys,
        keystore: options.keystore,
        connection,
        directory: connection.directory,
        parentChain: akashAccounts.chain,
        childGrants: connection.childGrants,
        logger,
        devnetUrl: devnetUrlForSdl(config, connection, options.devnetUrl).devnetUrl ?? null,
        relays: () => [...voice.relays],
        traffic: () => options.relayTraffic?.() ?? null,
        ownProvider: () => runtimeRef?.lease()?.provider ?? null,
        store,
        ...(cronos ? { cronos } : {}),
      }),
    };
    const siblings = createSiblingOperations({
      config,
      keys: () => services.keys,
      logger,
      devnetUrl: devnetUrlForSdl(config, connection, options.devnetUrl).devnetUrl ?? null,
      relays: () => [...voice.relays],
      ownProvider: () => runtimeRef?.lease()?.provider ?? null,
    });
    if (siblings) services.siblings = siblings;
    backups = await startBackups({
      config,
      keys,
      store,
      logger,
      connection,
      ...(options.devnetUrl ? { devnetUrl: options.devnetUrl } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    const watching = backups;
    const runtime = startAgentRuntime({
      services,
      settings,
      channels: voice.channels,
      feeReserveUakt: feeReserveUakt(config),
      reproduction: reproductionOptionsFromConfig(config, {
        startedAt: (options.now ?? Date.now)(),
        aktUsd: () => akashAccounts.chain.aktPriceUsd().catch(() => config.budget.aktUsd),
      }),
      inspect: (event) => {
        watching?.observe(event);
        options.inspect?.(event);
      },
    });
    runtimeRef = runtime;
    watching?.watch(() => runtime.actor);
    // A restored agent keeps the rotation plan it was saved with; this process's keystore decides now.
    if (runtime.restoredSeq !== null) runtime.send({ type: "KEYS.SCHEDULE", rotating: rotation.rotating });
    // A child restored from a snapshot older than its sibling watch starts one now.
    if (runtime.restoredSeq !== null && settings.siblingWatch)
      runtime.send({ type: "SIBLINGS.WATCH", settings: settings.siblingWatch });
    const opened = connection;
    return {
      runtime,
      connection: opened,
      store,
      backups: watching,
      async close() {
        watching?.stop();
        runtime.stop();
        cronos?.client.close();
        await akashAccounts.close();
        await opened.close();
        store.close();
      },
    };
  } catch (error) {
    backups?.stop();
    cronos?.client.close();
    await connection?.close();
    store.close();
    throw error;
  }
}
