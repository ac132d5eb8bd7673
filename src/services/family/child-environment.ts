import { findConfigField, reservedEnvNames } from "../../config/config-fields.js";
import type { NetworkName } from "../../config/index.js";
import { FamilyError } from "./family-errors.js";

/** The parent as a child's config names it (`reproduction.parent`): public data only. */
export interface ChildParent {
  readonly akash: string;
  readonly npub: string;
}

export type ChildSettingValue = string | number | boolean | readonly string[];

/** What a child agent is configured with, before it becomes `AGENT_*` variables. */
export interface ChildSettings {
  readonly network: NetworkName;
  /** The devnet's control URL, when the family lives on a devnet. */
  readonly devnetUrl: string | null;
  /** Null only for a child funded from its own account (no grants). */
  readonly parent: ChildParent | null;
  /** The relays the child publishes its heartbeats on: the parent's relays plus the parent's own relay. */
  readonly relays: readonly string[];
  /** Providers the child's bids avoid (its parent's and siblings'). */
  readonly avoidProviders: readonly string[];
  /** Whether the child may have children of its own (`reproduction.childrenMayReproduce` of the parent). */
  readonly reproductionEnabled: boolean;
  /** Further settings by dotted key (e.g. `agent.sdlProfile`), each one a field of the config schema. */
  readonly extra?: Readonly<Record<string, ChildSettingValue>>;
}

function envValue(value: ChildSettingValue): string {
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** The settings as the dotted keys of the config schema. */
function settingsByKey(settings: ChildSettings): Map<string, ChildSettingValue> {
  const byKey = new Map<string, ChildSettingValue>(Object.entries(settings.extra ?? {}));
  byKey.set("network", settings.network);
  if (settings.devnetUrl !== null) byKey.set("devnet.url", settings.devnetUrl);
  if (settings.parent !== null) {
    byKey.set("reproduction.parent.akash", settings.parent.akash);
    byKey.set("reproduction.parent.npub", settings.parent.npub);
  }
  byKey.set("nostr.relays", [...new Set(settings.relays)]);
  byKey.set("bidding.avoidProviders", [...new Set(settings.avoidProviders)]);
  byKey.set("reproduction.enabled", settings.reproductionEnabled);
  // The child's bootstrap runs beside the parent, which holds the default port.
  if (!byKey.has("http.port")) byKey.set("http.port", 0);
  return byKey;
}

/**
 * A child's config as the `AGENT_*` variables its `run` reads (config-fields.ts names them). Each key
 * must be a setting of the schema: a misspelt one would be dropped silently by the child, so it is an
 * error here. Secrets never pass through this: the mnemonic goes only in `AGENT_MNEMONIC`.
 */
export function childEnvironment(settings: ChildSettings): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of settingsByKey(settings)) {
    const field = findConfigField(key);
    if (!field || reservedEnvNames.has(field.envName)) {
      throw new FamilyError(
        `child setting ${key} is not a setting of the agent's config: use a dotted key of src/config/schema.ts (e.g. agent.sdlProfile)`,
      );
    }
    env[field.envName] = envValue(value);
  }
  return env;
}
