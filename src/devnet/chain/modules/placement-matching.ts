import type { GroupSpec } from "@akashnetwork/chain-sdk/private-types/akash.v1beta4";
import type { AttributeValue } from "../chain-state.js";
import { resourceValue } from "./group-spec.js";

/** Go filepath.Match for attribute keys: `*` and `?` never match a `/`. */
function keyMatches(pattern: string, key: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, "[^/]*")
    .replace(/\?/g, "[^/]");
  return new RegExp(`^${regex}$`).test(key);
}

export function attributesSubsetOf(
  required: readonly AttributeValue[],
  offered: readonly AttributeValue[],
): boolean {
  return required.every((req) =>
    offered.some((have) => keyMatches(req.key, have.key) && req.value === have.value),
  );
}

/** Attributes.GetCapabilitiesGroup: `capabilities/<prefix>/<n>/<key>` attributes grouped by `<n>`. */
function capabilitiesGroups(attributes: readonly AttributeValue[], prefix: string): AttributeValue[][] {
  const groups = new Map<string, AttributeValue[]>();
  for (const item of attributes) {
    if (!item.key.startsWith(`capabilities/${prefix}`)) continue;
    const tokens = item.key.slice("capabilities/".length).split("/");
    if (tokens.length !== 3) continue;
    const group = groups.get(tokens[1]!) ?? [];
    group.push({ key: tokens[2]!, value: item.value });
    groups.set(tokens[1]!, group);
  }
  return [...groups.values()];
}

export interface AuditedAttributes {
  readonly auditor: string;
  readonly attributes: readonly AttributeValue[];
}

/** GroupSpec.MatchRequirements: plain attributes against the provider's own, or against auditors' signatures. */
export function matchesPlacement(
  spec: GroupSpec,
  providerAttributes: readonly AttributeValue[],
  audits: readonly AuditedAttributes[],
): boolean {
  const required = spec.requirements?.attributes ?? [];
  const allOf = spec.requirements?.signedBy?.allOf ?? [];
  const anyOf = spec.requirements?.signedBy?.anyOf ?? [];
  if (allOf.length === 0 && anyOf.length === 0) return attributesSubsetOf(required, providerAttributes);
  if (audits.length === 0) return false;
  const byAuditor = new Map(audits.map((a) => [a.auditor, a.attributes]));
  for (const auditor of allOf) {
    const signed = byAuditor.get(auditor);
    if (!signed || !attributesSubsetOf(required, signed)) return false;
  }
  if (anyOf.length > 0) {
    return anyOf.some((auditor) => {
      const signed = byAuditor.get(auditor);
      return signed !== undefined && attributesSubsetOf(required, signed);
    });
  }
  return true;
}

/** GroupSpec.MatchResourcesRequirements: storage classes and GPU models the provider advertises. */
export function matchesResourceCapabilities(
  spec: GroupSpec,
  providerAttributes: readonly AttributeValue[],
): boolean {
  const storageGroups = capabilitiesGroups(providerAttributes, "storage");
  for (const unit of spec.resources) {
    const resources = unit.resource;
    if (!resources) continue;
    for (const storage of resources.storage) {
      if (storage.attributes.length === 0) continue;
      if (!storageGroups.some((group) => attributesSubsetOf(storage.attributes, group))) return false;
    }
    const gpu = resources.gpu;
    if (gpu && resourceValue(gpu.units) > 0n && gpu.attributes.length > 0) {
      const offered = providerAttributes
        .filter((a) => a.key.startsWith("capabilities/gpu/"))
        .map((a) => ({ key: a.key.slice("capabilities/gpu/".length), value: a.value }));
      if (!gpu.attributes.some((a) => offered.some((o) => keyMatches(a.key, o.key) && a.value === o.value)))
        return false;
    }
  }
  return true;
}
