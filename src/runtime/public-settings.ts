import type { AgentConfig } from "../config/index.js";

/**
 * What a bootstrap hands its deployed instance of its settings: everything but what belongs to the
 * machine it runs on (its data directory, keystore, HTTP port, devnet, network and role, which the
 * instance's own environment gives). Config holds no secrets (they live in the keystore), so this is
 * public data; it still travels inside the encrypted activation.
 */
export function publicSettings(config: AgentConfig): Record<string, unknown> {
  const {
    dataDir: _dataDir,
    role: _role,
    keystore: _keystore,
    http: _http,
    devnet: _devnet,
    network: _network,
    ...rest
  } = config;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}
