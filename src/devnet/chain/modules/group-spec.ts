import { GroupSpec } from "@akashnetwork/chain-sdk/private-types/akash.v1beta4";
import { DeploymentErrors } from "../chain-errors.js";
import { type Dec, decFromString } from "../decimal.js";

export type GroupSpecValue = GroupSpec;

const MAX_UNIT_PRICE = decFromString("10000000");
const Mi = 1024n * 1024n;
const LIMITS = {
  cpu: [10n, 384_000n],
  memory: [Mi, 2n * 1024n * 1024n * Mi],
  storage: [5n * Mi, 32n * 1024n * 1024n * Mi],
  gpu: [0n, 24n],
  count: [1, 50],
  unitsPerGroup: 20,
} as const;

export function resourceValue(value: { val: Uint8Array } | undefined): bigint {
  if (!value || value.val.length === 0) return 0n;
  const text = new TextDecoder().decode(value.val);
  return /^\d+$/.test(text) ? BigInt(text) : 0n;
}

export const decodeGroupSpec = (bytes: Uint8Array) => GroupSpec.decode(bytes);
export const encodeGroupSpec = (spec: GroupSpec) => GroupSpec.encode(spec).finish();

/** Sum over resource units of unit price × count: the most a bid on this group's order may ask. */
export function groupPrice(spec: GroupSpec): { denom: string; amount: Dec } {
  let denom = "";
  let amount = 0n;
  for (const unit of spec.resources) {
    denom ||= unit.price?.denom ?? "";
    amount += decFromString(unit.price?.amount || "0") * BigInt(unit.count);
  }
  return { denom, amount };
}

/** GroupSpec.ValidateBasic (deployment v1beta4 validation config). */
export function validateGroupSpec(spec: GroupSpec): void {
  const invalid = (text: string) => DeploymentErrors.invalidGroups.wrap(`group ${spec.name}: ${text}`);
  if (!spec.name) throw DeploymentErrors.invalidGroups.wrap("empty group spec name");
  if (spec.resources.length === 0) throw invalid("no resources");
  if (spec.resources.length > LIMITS.unitsPerGroup) throw invalid("too many resource units");
  let denom: string | undefined;
  for (const unit of spec.resources) {
    const r = unit.resource;
    if (!r) throw invalid("missing resources");
    const cpu = resourceValue(r.cpu?.units);
    const memory = resourceValue(r.memory?.quantity);
    if (cpu < LIMITS.cpu[0] || cpu > LIMITS.cpu[1]) throw invalid(`invalid cpu units ${cpu}`);
    if (memory < LIMITS.memory[0] || memory > LIMITS.memory[1])
      throw invalid(`invalid memory size ${memory}`);
    for (const storage of r.storage) {
      const size = resourceValue(storage.quantity);
      if (size < LIMITS.storage[0] || size > LIMITS.storage[1]) throw invalid(`invalid storage size ${size}`);
    }
    const gpu = resourceValue(r.gpu?.units);
    if (gpu > LIMITS.gpu[1]) throw invalid(`invalid gpu units ${gpu}`);
    if (unit.count < LIMITS.count[0] || unit.count > LIMITS.count[1])
      throw invalid(`invalid unit count ${unit.count}`);
    if (!unit.price?.denom) throw invalid("missing price");
    let price: Dec;
    try {
      price = decFromString(unit.price.amount || "0");
    } catch {
      throw invalid(`invalid price ${unit.price.amount}`);
    }
    if (price <= 0n || price > MAX_UNIT_PRICE)
      throw invalid(`invalid price ${unit.price.amount}${unit.price.denom}`);
    if (denom !== undefined && denom !== unit.price.denom)
      throw DeploymentErrors.invalidPrice.wrap("multi-denomination group");
    denom = unit.price.denom;
  }
}
