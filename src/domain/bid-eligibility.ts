/**
 * Whether the chain would accept a provider's MsgCreateBid on an order of a group: the checks the
 * market module's CreateBid runs against the order's group spec and the provider's records
 * (akash-network/node x/market/handler, chain-sdk deployment/v1beta4 GroupSpec.MatchRequirements and
 * MatchResourcesRequirements, types/attributes/v1). Written here for the agent's own types from those
 * rules; the price, deposit and resources offer are the bidder's choice, so they do not limit who can bid.
 */

export interface KeyValueAttribute {
  readonly key: string;
  readonly value: string;
}

/** What an order's group asks of a bidder. */
export interface GroupBidRequirements {
  /** Placement attributes (keys may hold `*`/`?` wildcards). */
  readonly attributes: readonly KeyValueAttribute[];
  /** Auditors whose signature on those attributes is required: all of `allOf`, one of `anyOf`. */
  readonly signedBy: { readonly allOf: readonly string[]; readonly anyOf: readonly string[] };
  /** Per resource unit: its storage volumes' attributes (class, persistent) and its GPU. */
  readonly resources: readonly {
    readonly storage: readonly { readonly attributes: readonly KeyValueAttribute[] }[];
    readonly gpu: { readonly units: number; readonly attributes: readonly KeyValueAttribute[] };
  }[];
}

/** A registered provider: its own attributes and each auditor's signed attributes for it. */
export interface BidderRecord {
  readonly owner: string;
  readonly attributes: readonly KeyValueAttribute[];
  readonly audits: readonly { readonly auditor: string; readonly attributes: readonly KeyValueAttribute[] }[];
}

const SEPARATOR = "/";

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");

/**
 * Go's path/filepath.Match pattern as a regex: `*` is any run of non-`/` characters, `?` one non-`/`
 * character, `[...]` a character class (`^` negates, `lo-hi` ranges), `\` escapes the next character.
 * A malformed pattern (Go's ErrBadPattern) is null: it matches nothing.
 */
function globRegex(pattern: string): RegExp | null {
  let source = "";
  const chars = [...pattern];
  let i = 0;
  /** A class member: a plain or `\`-escaped character; null where Go reports a bad pattern. */
  const member = (): string | null => {
    let c = chars[i];
    if (c === undefined || c === "-" || c === "]") return null;
    if (c === "\\") {
      i += 1;
      c = chars[i];
      if (c === undefined) return null;
    }
    i += 1;
    // Go requires more pattern after a member (at least the closing bracket).
    if (i >= chars.length) return null;
    return c;
  };
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === "*") {
      source += `[^${SEPARATOR}]*`;
      i += 1;
    } else if (c === "?") {
      source += `[^${SEPARATOR}]`;
      i += 1;
    } else if (c === "\\") {
      const next = chars[i + 1];
      if (next === undefined) return null;
      source += escapeRegex(next);
      i += 2;
    } else if (c === "[") {
      i += 1;
      if (i >= chars.length) return null;
      const negated = chars[i] === "^";
      if (negated) i += 1;
      let ranges = "";
      let count = 0;
      for (;;) {
        if (chars[i] === "]" && count > 0) {
          i += 1;
          break;
        }
        const lo = member();
        if (lo === null) return null;
        let hi = lo;
        if (chars[i] === "-") {
          i += 1;
          const upper = member();
          if (upper === null) return null;
          hi = upper;
        }
        if (hi.codePointAt(0)! < lo.codePointAt(0)!) return null;
        ranges += lo === hi ? escapeRegex(lo) : `${escapeRegex(lo)}-${escapeRegex(hi)}`;
        count += 1;
      }
      source += negated ? `[^${ranges}]` : `[${ranges}]`;
    } else {
      source += escapeRegex(c);
      i += 1;
    }
  }
  return new RegExp(`^${source}$`);
}

/** Attribute.SubsetOf: the key matches as a filepath.Match pattern and the values are equal. */
export function attributeMatches(required: KeyValueAttribute, offered: KeyValueAttribute): boolean {
  if (required.value !== offered.value) return false;
  // filepath.Match("", name) matches only an empty name.
  return globRegex(required.key)?.test(offered.key) ?? false;
}

/** AttributesSubsetOf: every required attribute matches one offered. */
export function attributesSubsetOf(
  required: readonly KeyValueAttribute[],
  offered: readonly KeyValueAttribute[],
): boolean {
  return required.every((want) => offered.some((have) => attributeMatches(want, have)));
}

/** AttributesAnyOf: at least one required attribute matches one offered. */
function attributesAnyOf(required: readonly KeyValueAttribute[], offered: readonly KeyValueAttribute[]) {
  return required.some((want) => offered.some((have) => attributeMatches(want, have)));
}

/**
 * Attributes.GetCapabilitiesGroup: `capabilities/<prefix>…/<n>/<key>` attributes (exactly three parts
 * after `capabilities/`) grouped by `<n>`, each as `<key>` = value.
 */
function capabilitiesGroups(attributes: readonly KeyValueAttribute[], prefix: string): KeyValueAttribute[][] {
  const groups = new Map<string, KeyValueAttribute[]>();
  for (const { key, value } of attributes) {
    if (!key.startsWith(`capabilities/${prefix}`)) continue;
    const parts = key.slice("capabilities/".length).split(SEPARATOR);
    if (parts.length !== 3) continue;
    const group = groups.get(parts[1]!) ?? [];
    group.push({ key: parts[2]!, value });
    groups.set(parts[1]!, group);
  }
  return [...groups.values()];
}

/**
 * Attributes.GetCapabilitiesMap: `capabilities/<prefix>…/<rest>` attributes (at least three parts after
 * `capabilities/`) as one list of `<rest>` = value, e.g. `vendor/nvidia/model/a100` = true.
 */
function capabilitiesMap(attributes: readonly KeyValueAttribute[], prefix: string): KeyValueAttribute[] {
  const entries: KeyValueAttribute[] = [];
  for (const { key, value } of attributes) {
    if (!key.startsWith(`capabilities/${prefix}`)) continue;
    const parts = key.slice("capabilities/".length).split(SEPARATOR);
    if (parts.length < 3) continue;
    entries.push({ key: parts.slice(1).join(SEPARATOR), value });
  }
  return entries;
}

/**
 * GroupSpec.MatchRequirements: without `signedBy`, the placement attributes against the provider's own;
 * with it, against the attributes each named auditor signed (every `allOf` auditor, then one `anyOf`).
 */
export function matchesPlacement(requirements: GroupBidRequirements, provider: BidderRecord): boolean {
  const { attributes, signedBy } = requirements;
  if (signedBy.allOf.length === 0 && signedBy.anyOf.length === 0) {
    return attributesSubsetOf(attributes, provider.attributes);
  }
  if (provider.audits.length === 0) return false;
  const signed = new Map(provider.audits.map((audit) => [audit.auditor, audit.attributes]));
  const signedMatch = (auditor: string) => {
    const by = signed.get(auditor);
    return by !== undefined && attributesSubsetOf(attributes, by);
  };
  if (!signedBy.allOf.every(signedMatch)) return false;
  return signedBy.anyOf.length === 0 || signedBy.anyOf.some(signedMatch);
}

/**
 * GroupSpec.MatchResourcesRequirements: every storage volume with attributes finds one storage class
 * group of the provider holding them all; a unit with GPUs and GPU attributes finds one of them among
 * the provider's `capabilities/gpu/...`.
 */
export function matchesResourceCapabilities(
  requirements: GroupBidRequirements,
  provider: BidderRecord,
): boolean {
  const storageGroups = capabilitiesGroups(provider.attributes, "storage");
  const gpus = capabilitiesMap(provider.attributes, "gpu");
  return requirements.resources.every(
    (unit) =>
      unit.storage.every(
        (volume) =>
          volume.attributes.length === 0 ||
          storageGroups.some((group) => attributesSubsetOf(volume.attributes, group)),
      ) &&
      (unit.gpu.units === 0 ||
        unit.gpu.attributes.length === 0 ||
        attributesAnyOf(unit.gpu.attributes, gpus)),
  );
}

/**
 * Whether the chain would accept a bid from `provider` on an order of `owner`'s group: not the owner
 * itself (MsgCreateBid.ValidateBasic), and the group's placement and resource capabilities match.
 */
export function couldBid(requirements: GroupBidRequirements, provider: BidderRecord, owner: string): boolean {
  return (
    provider.owner !== owner &&
    matchesPlacement(requirements, provider) &&
    matchesResourceCapabilities(requirements, provider)
  );
}
