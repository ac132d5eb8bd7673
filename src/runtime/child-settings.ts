import { findConfigField, reservedEnvNames } from "../config/config-fields.js";
import type { AgentConfig } from "../config/index.js";
import type { ChildSettingValue } from "../services/family/index.js";
import { publicSettings } from "./public-settings.js";

/**
 * Settings a child decides for itself or its parent sets apart (the family's, its relays, its bids'
 * avoidance), and those of the machine it runs on.
 */
const NOT_INHERITED = [
  "reproduction.",
  "bidding.avoidProviders",
  "nostr.relays",
  // A child always moves into its own lease, whatever its parent does.
  "agent.handover",
  "agent.parentAgentId",
  "log.",
];

/** The family's one notion of silence: every member judges heartbeats alike (its siblings' too). */
const FAMILY_TIMING = ["reproduction.silenceThresholdMs", "reproduction.heartbeatCheckMs"];

function isSettingValue(value: unknown): value is ChildSettingValue {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return true;
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function flatten(value: unknown, prefix: string, out: Record<string, ChildSettingValue>): void {
  if (isSettingValue(value)) {
    out[prefix] = value;
    return;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return;
  for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, out);
}

/**
 * What a child inherits of its parent's config (DESIGN §13): its public settings (the same a deployed
 * instance gets from its bootstrap) as dotted keys, minus the family's own (but for its heartbeat
 * timing) and the machine's, plus its parent's agent id. Only keys that are settings of the schema are kept.
 */
export function inheritedChildSettings(
  config: AgentConfig,
  parentAgentId: string,
): Record<string, ChildSettingValue> {
  const flat: Record<string, ChildSettingValue> = {};
  flatten(publicSettings(config), "", flat);
  const inherited: Record<string, ChildSettingValue> = { "agent.parentAgentId": parentAgentId };
  for (const [key, value] of Object.entries(flat)) {
    const familyTiming = FAMILY_TIMING.includes(key);
    if (!familyTiming && NOT_INHERITED.some((prefix) => key === prefix || key.startsWith(prefix))) continue;
    const field = findConfigField(key);
    if (!field || reservedEnvNames.has(field.envName)) continue;
    inherited[key] = value;
  }
  return inherited;
}
