import { envNameOf } from "./config-fields.js";

/**
 * Settings an earlier schema declared although nothing read them. A config that still sets one is
 * refused with the reason rather than accepted and ignored (an unknown `AGENT_*` variable is otherwise
 * skipped without a word). The change that builds the feature adds the setting back to the schema and
 * removes it here.
 */
const retired: Readonly<Record<string, string>> = {
  "alerts.nostrOperator": "renamed: list the operators' npubs in alerts.nostr.npubs",
  "alerts.nostrRelays": "renamed: the relays are nostr.relays",
};

export interface RetiredSetting {
  readonly key: string;
  readonly path: readonly string[];
  readonly envName: string;
  readonly reason: string;
}

export const retiredSettings: readonly RetiredSetting[] = Object.entries(retired).map(([key, reason]) => {
  const path = key.split(".");
  return { key, path, envName: envNameOf(path), reason };
});
