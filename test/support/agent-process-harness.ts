import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/index.js";
import type { DevnetHandle } from "../../src/devnet/index.js";
import { createLogger } from "../../src/logging/index.js";
import { isInState, type LeaseView } from "../../src/runtime/lease-view.js";
import { type AgentProcess, startAgentProcess } from "../../src/server/agent-process.js";
import {
  AgentKeys,
  EnvKeystore,
  generateMnemonic,
  type KeystoreBackend,
  knownSecretValues,
} from "../../src/services/keys/index.js";
import { fastAgentSettings } from "./agent-harness.js";

export interface TestAgentProcess extends AgentProcess {
  mnemonic: string;
  keys: AgentKeys;
  dataDir: string;
  until(state: string, predicate?: (view: LeaseView) => boolean): Promise<LeaseView>;
}

/**
 * The agent as a service (relay, HTTP routes, metrics source from its own relay) in this process,
 * against a running devnet, on a free loopback port.
 */
export async function startTestAgentProcess(
  devnet: DevnetHandle,
  options: {
    settings?: Record<string, unknown>;
    mnemonic?: string;
    dataDir?: string;
    /** Default: the environment keystore with `mnemonic` (which cannot keep a rotated key). */
    keystore?: KeystoreBackend;
  } = {},
): Promise<TestAgentProcess> {
  const mnemonic = options.mnemonic ?? generateMnemonic().reveal();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "agent-process-"));
  const config = loadConfig({
    env: {},
    flags: {
      network: "devnet",
      dataDir,
      "devnet.url": devnet.control,
      "http.port": 0,
      "agent.relayDomain": "127.0.0.1",
      ...fastAgentSettings,
      "agent.sdlProfile": "relay",
      ...(process.env.TEST_AGENT_LOG ? { "log.level": process.env.TEST_AGENT_LOG } : {}),
      ...options.settings,
    },
  });
  const keystore = options.keystore ?? new EnvKeystore({ env: { AGENT_MNEMONIC: mnemonic } });
  const keys = AgentKeys.fromContents(await keystore.load());
  const logger = createLogger({ level: config.log.level, json: true, secrets: knownSecretValues });
  const agent = await startAgentProcess({ config, keys, keystore, logger });
  return {
    ...agent,
    mnemonic,
    keys,
    dataDir,
    until: (state, predicate = () => true) =>
      agent.runtime.waitForLease((view) => isInState(view.state, state) && predicate(view)),
  };
}
