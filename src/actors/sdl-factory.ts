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
import { activationNonce } from "./activation-nonce.js";

export { activationNonce } from "./activation-nonce.js";

export interface SdlFactoryOptions {
  keys: AgentKeys;
  identity: AgentIdentity;
  image: string;
  budget: DailyBudget;
  /** Which services the deployment holds (default `nostream`). */
  profile?: SdlProfile;
  placement?: PlacementInput;
  extraEnv?: Record<string, string>;
  /** Devnet only: the devnet's control URL, put in the manifest so the deployed instance finds the chain. */
  devnetUrl?: string;
}

/**
 * Builds the agent's SDL for given resources and deployment sequence: deterministic, so a restart
 * regenerates the same manifest version. It carries no key of the agent, only the deployment's
 * activation nonce (public) and, in the nostream profile, postgres' derived password.
 */
export interface SdlFactory {
  /** The image the SDL runs unless one is given (`agent.image`). */
  readonly image: string;
  /** `image`: another image of the agent (an upgrade's); absent: the configured one. */
  template(resources: Resources, dseq: string, image?: string): SdlTemplate;
  deployable(resources: Resources, dseq: string, image?: string): DeployableSdl;
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
  const template = (resources: Resources, dseq: string, image?: string) =>
    generateSdlTemplate({
      resources,
      identity: options.identity,
      image: image ?? options.image,
      budget: options.budget,
      ...(options.profile ? { profile: options.profile } : {}),
      ...(options.placement ? { placement: options.placement } : {}),
      ...(options.extraEnv ? { extraEnv: options.extraEnv } : {}),
      ...(options.devnetUrl ? { devnetUrl: options.devnetUrl } : {}),
      activationNonce: activationNonce(options.keys, dseq),
    });
  return {
    image: options.image,
    template,
    deployable: (resources, dseq, image) =>
      injectSecrets(template(resources, dseq, image), { postgresPassword: postgresPassword(options.keys) }),
  };
}
