import type { GroupSpec } from "@akashnetwork/chain-sdk/private-types/akash.v1beta4";
import { type Dec, decFromString } from "../chain/decimal.js";
import { resourceValue } from "../chain/modules/group-spec.js";
import { BASE_PRICES, type ProviderProfile } from "./provider-profile.js";

const GiB = 1024 ** 3;

export interface GroupDemand {
  readonly cpuMilli: number;
  readonly memoryBytes: number;
  readonly storageBytes: number;
}

export function groupDemand(spec: GroupSpec): GroupDemand {
  let cpuMilli = 0;
  let memoryBytes = 0;
  let storageBytes = 0;
  for (const unit of spec.resources) {
    const r = unit.resource;
    if (!r) continue;
    cpuMilli += Number(resourceValue(r.cpu?.units)) * unit.count;
    memoryBytes += Number(resourceValue(r.memory?.quantity)) * unit.count;
    for (const s of r.storage) storageBytes += Number(resourceValue(s.quantity)) * unit.count;
  }
  return { cpuMilli, memoryBytes, storageBytes };
}

/** The provider's asking price for a group, in uact per block (6 decimals, as a Dec). */
export function bidPrice(spec: GroupSpec, profile: ProviderProfile): Dec {
  let total = 0;
  for (const unit of spec.resources) {
    const r = unit.resource;
    if (!r) continue;
    const cpu = (Number(resourceValue(r.cpu?.units)) / 1000) * BASE_PRICES.cpuCore;
    const memory = (Number(resourceValue(r.memory?.quantity)) / GiB) * BASE_PRICES.memoryGi;
    const storage = r.storage.reduce(
      (sum, s) => sum + (Number(resourceValue(s.quantity)) / GiB) * BASE_PRICES.storageGi,
      0,
    );
    total += Math.max(BASE_PRICES.minimum, cpu + memory + storage) * unit.count;
  }
  return decFromString((total * profile.priceFactor).toFixed(6));
}
