import type { DailyBudget } from "../budget.js";
import type { ResourceRates } from "../cost.js";
import { DomainInputError } from "../domain-input-error.js";
import { requireText } from "../input-checks.js";
import type { Resources } from "../resources.js";
import { SDL_PROFILES, type SdlProfile } from "../service-profiles.js";
import type { TrafficMetrics } from "../traffic-metrics.js";

export const AGENT_ROLES = ["root", "replica", "specialized"] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

/** Public facts about the agent that go into agent-relay's env as plain values. */
export interface AgentIdentity {
  readonly agentId: string;
  /** bech32 `akash1…` account address. */
  readonly akashAddress: string;
  /** Nostr public key, 64 lowercase hex characters. */
  readonly nostrPubkey: string;
  readonly relayName: string;
  /** Hostname the relay answers on (the 443 endpoint's `accept`). */
  readonly relayDomain: string;
  /** devnet, sandbox or mainnet. */
  readonly network: string;
  readonly chainId: string;
  readonly role: AgentRole;
  /** The parent agent's id, for a child agent. */
  readonly parentAgentId?: string | null;
}

/** Optional placement requirements of the deployment's group. */
export interface PlacementInput {
  /** Provider attributes to require, e.g. `{ "location-region": "na-us-west" }`. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** Auditors whose signature on those attributes is required. */
  readonly signedBy?: { readonly anyOf?: readonly string[]; readonly allOf?: readonly string[] };
}

/** Size agent-relay from traffic (the sizing rules) or give the size directly (e.g. after a scale-up). */
export type SdlSizing =
  | { readonly metrics: TrafficMetrics; readonly resources?: undefined }
  | { readonly resources: Resources; readonly metrics?: undefined };

export type SdlInput = SdlSizing & {
  readonly identity: AgentIdentity;
  /** Container image of agent-relay (the agent and its relay). */
  readonly image: string;
  readonly budget: DailyBudget;
  readonly placement?: PlacementInput;
  /** Rates used to split the budget between the services' prices (default DEFAULT_RESOURCE_RATES). */
  readonly rates?: ResourceRates;
  /** Extra public env values for agent-relay (e.g. a devnet URL); never secrets. */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /** Which services the deployment holds (default `nostream`, the seed's three). */
  readonly profile?: SdlProfile;
  /**
   * The one-time nonce the deployed instance shows at `GET /api/activation` (AGENT_ACTIVATION_NONCE);
   * public, and derived per deployment by whoever holds the keys. Omitted only in a printed sample.
   */
  readonly activationNonce?: string;
  /** Devnet only: the devnet's control URL (AGENT_DEVNET_URL), how the deployed instance finds the chain. */
  readonly devnetUrl?: string;
};

export const AKASH_ADDRESS = {
  regex: /^akash1[02-9ac-hj-np-z]{38,58}$/,
  description: "a bech32 akash1… address",
};
const HOSTNAME = {
  regex: /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/,
  description: "a lowercase hostname such as relay.example.com",
};
const IDENTIFIER = { regex: /^[A-Za-z0-9._:-]{1,128}$/, description: "1–128 of A–Z a–z 0–9 . _ : -" };
const IMAGE = { regex: /^[a-z0-9][a-z0-9._/:@-]{0,254}$/, description: "a container image reference" };
const NOSTR_PUBKEY = { regex: /^[0-9a-f]{64}$/, description: "64 lowercase hex characters" };
const SHORT_TEXT = { regex: /^.{1,128}$/, description: "at most 128 characters" };
const ATTRIBUTE_KEY = { regex: /^[a-zA-Z][\w./-]{1,126}$/, description: "an Akash attribute key" };
const ACTIVATION_NONCE = {
  regex: /^[A-Za-z0-9_-]{16,128}$/,
  description: "16–128 base64url characters (activationNonce(keys, dseq))",
};
const DEVNET_URL = {
  regex: /^https?:\/\/[A-Za-z0-9.[\]:-]+(:\d{1,5})?(\/[\x21-\x7e]*)?$/,
  description: "an http(s) URL such as http://127.0.0.1:26680 (the devnet's control URL)",
};
export const ENV_NAME = { regex: /^[A-Z][A-Z0-9_]{0,127}$/, description: "an upper-case env variable name" };

export function validateIdentity(identity: AgentIdentity): AgentIdentity {
  if (typeof identity !== "object" || identity === null) {
    throw DomainInputError.of("identity", identity, "must be an object");
  }
  if (!(AGENT_ROLES as readonly string[]).includes(identity.role)) {
    throw DomainInputError.of("identity.role", identity.role, `must be one of ${AGENT_ROLES.join(", ")}`);
  }
  const parent = identity.parentAgentId ?? null;
  return {
    agentId: requireText("identity.agentId", identity.agentId, IDENTIFIER),
    akashAddress: requireText("identity.akashAddress", identity.akashAddress, AKASH_ADDRESS),
    nostrPubkey: requireText("identity.nostrPubkey", identity.nostrPubkey, NOSTR_PUBKEY),
    relayName: requireText("identity.relayName", identity.relayName, SHORT_TEXT),
    relayDomain: requireText("identity.relayDomain", identity.relayDomain, HOSTNAME),
    network: requireText("identity.network", identity.network, IDENTIFIER),
    chainId: requireText("identity.chainId", identity.chainId, IDENTIFIER),
    role: identity.role,
    parentAgentId: parent === null ? null : requireText("identity.parentAgentId", parent, IDENTIFIER),
  };
}

export function validateProfile(profile: SdlProfile | undefined): SdlProfile {
  if (profile === undefined) return "nostream";
  if (!(SDL_PROFILES as readonly string[]).includes(profile)) {
    throw DomainInputError.of("profile", profile, `must be one of ${SDL_PROFILES.join(", ")}`);
  }
  return profile;
}

export function validateImage(image: string): string {
  return requireText("image", image, IMAGE);
}

/** Sorted copies of a string record's entries, each key and value checked. */
export function sortedEntries(
  field: string,
  record: Readonly<Record<string, string>> | undefined,
  keyPattern: { regex: RegExp; description: string },
): [string, string][] {
  if (record === undefined) return [];
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    throw DomainInputError.of(field, record, "must be an object of text values");
  }
  return Object.keys(record)
    .sort()
    .map((key) => [
      requireText(`${field} key`, key, keyPattern),
      requireText(`${field}.${key}`, record[key] as string, SHORT_TEXT),
    ]);
}

export interface ValidPlacement {
  readonly attributes: [string, string][];
  readonly anyOf: string[];
  readonly allOf: string[];
}

function sortedAddresses(field: string, addresses: readonly string[] | undefined): string[] {
  if (addresses === undefined) return [];
  if (!Array.isArray(addresses)) {
    throw DomainInputError.of(field, addresses, "must be a list of akash1… addresses");
  }
  const valid = addresses.map((address, index) => requireText(`${field}[${index}]`, address, AKASH_ADDRESS));
  return [...new Set(valid)].sort();
}

/** Attributes sorted by key and auditor lists sorted and de-duplicated, so input order never matters. */
export function validatePlacement(placement: PlacementInput | undefined): ValidPlacement {
  return {
    attributes: sortedEntries("placement.attributes", placement?.attributes, ATTRIBUTE_KEY),
    anyOf: sortedAddresses("placement.signedBy.anyOf", placement?.signedBy?.anyOf),
    allOf: sortedAddresses("placement.signedBy.allOf", placement?.signedBy?.allOf),
  };
}

export interface ValidInstanceEnv {
  readonly activationNonce: string | null;
  readonly devnetUrl: string | null;
}

/** The deployed instance's public start-up values: the activation nonce, and the devnet URL on the devnet only. */
export function validateInstanceEnv(input: SdlInput, network: string): ValidInstanceEnv {
  const { activationNonce, devnetUrl } = input;
  if (devnetUrl !== undefined && network !== "devnet") {
    throw DomainInputError.of(
      "devnetUrl",
      devnetUrl,
      `is for the devnet only (identity.network is ${network}): leave it out`,
    );
  }
  return {
    activationNonce:
      activationNonce === undefined
        ? null
        : requireText("activationNonce", activationNonce, ACTIVATION_NONCE),
    devnetUrl: devnetUrl === undefined ? null : requireText("devnetUrl", devnetUrl, DEVNET_URL),
  };
}
