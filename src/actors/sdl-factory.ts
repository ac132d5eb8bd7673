import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  type AgentIdentity,
  type DailyBudget,
  type DeployableSdl,
  generateSdlTemplate,
  injectSecrets,
  type PlacementInput,
  type Resources,
  type SdlProfile,
  type SdlTemplate,
} from "../domain/index.js";
import { type AgentKeys, secretString } from "../services/keys/index.js";

export interface SdlFactoryOptions {
  keys: AgentKeys;
  identity: AgentIdentity;
  image: string;
  budget: DailyBudget;
  /** Which services the deployment holds (default `nostream`). */
  profile?: SdlProfile;
  placement?: PlacementInput;
  extraEnv?: Record<string, string>;
}

/** Builds the agent's SDL for given resources: deterministic, so a restart regenerates the same manifest version. */
export interface SdlFactory {
  template(resources: Resources): SdlTemplate;
  deployable(resources: Resources): DeployableSdl;
}

/**
 * postgres' password, derived from the agent's workload key so that every regeneration of the SDL
 * (after a crash, after a key rotation, for a manifest resend) carries the same one and the manifest
 * version matches the deployment's. Not the current encryption key: that one rotates.
 */
function postgresPassword(keys: AgentKeys): string {
  const key = keys.workloadKey().reveal();
  const bytes = hkdf(
    sha256,
    key,
    undefined,
    new TextEncoder().encode("akash-agent/postgres-password/v1"),
    24,
  );
  return secretString(Buffer.from(bytes).toString("base64url")).reveal();
}

export function createSdlFactory(options: SdlFactoryOptions): SdlFactory {
  const template = (resources: Resources) =>
    generateSdlTemplate({
      resources,
      identity: options.identity,
      image: options.image,
      budget: options.budget,
      ...(options.profile ? { profile: options.profile } : {}),
      ...(options.placement ? { placement: options.placement } : {}),
      ...(options.extraEnv ? { extraEnv: options.extraEnv } : {}),
    });
  return {
    template,
    deployable: (resources) =>
      injectSecrets(template(resources), {
        agentMnemonic: options.keys.mnemonic().reveal(),
        postgresPassword: postgresPassword(options.keys),
      }),
  };
}
