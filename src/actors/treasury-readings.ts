import type { Logger } from "../logging/index.js";
import type { AkashChain } from "../services/akash/akash-service.js";
import type { CronosLegDeps } from "../services/cronos/index.js";
import type { AgentStore } from "../services/store/index.js";
import type { CronosTreasury } from "./cronos-treasury.js";

const SECONDS_PER_DAY = 86_400;

/** The whole-uact part of a chain decimal ("12.345" → 12n). */
function wholeUact(decimal: string): bigint {
  return BigInt(decimal.split(".")[0] || "0");
}

/** uact left in the escrows of the agent's open deployments, and what their active leases burn per day. */
export async function readEscrowAndBurn(
  chain: AkashChain,
  blockSeconds: number,
): Promise<{ escrowUact: string; burnUactPerDay: string }> {
  const deployments = await chain.activeDeployments();
  let escrow = 0n;
  let perBlockUact = 0;
  for (const deployment of deployments) {
    if (deployment.escrow) escrow += wholeUact(deployment.escrow.balanceUact);
    for (const lease of await chain.leases(deployment.dseq)) {
      if (lease.state === "active") perBlockUact += Number(lease.priceUact);
    }
  }
  const perDay = Math.ceil((perBlockUact * SECONDS_PER_DAY) / blockSeconds);
  return { escrowUact: escrow.toString(), burnUactPerDay: perDay.toString() };
}

/** CRO (wei) and AKT (token units) the agent holds on Cronos. */
async function readCronosHoldings(cronos: CronosTreasury): Promise<{ croWei: string; aktUnits: string }> {
  const [croWei, aktUnits] = await Promise.all([cronos.client.croWei(), cronos.client.aktUnits()]);
  return { croWei: croWei.toString(), aktUnits: aktUnits.toString() };
}

/** What a reading says of Cronos: its holdings, or why they could not be read (none: no Cronos leg). */
export type CronosReading =
  | { croWei: string; aktUnits: string; cronosUnreadable: null }
  | { croWei: null; aktUnits: null; cronosUnreadable: string | null };

/**
 * The Cronos side of a balance reading, read on its own: a Cronos node that does not answer never
 * hides the Akash side (an AKT account under its floor must still be seen and acted on), so its
 * failure is returned, not thrown.
 */
export async function readCronosSide(cronos: CronosTreasury | undefined): Promise<CronosReading> {
  if (!cronos) return { croWei: null, aktUnits: null, cronosUnreadable: null };
  try {
    return { ...(await readCronosHoldings(cronos)), cronosUnreadable: null };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { croWei: null, aktUnits: null, cronosUnreadable: reason };
  }
}

export function cronosLegDeps(
  cronos: CronosTreasury,
  deps: { store: AgentStore; logger: Logger; now: () => number; signal?: AbortSignal },
): CronosLegDeps {
  return {
    client: cronos.client,
    policy: cronos.policy,
    store: deps.store,
    logger: deps.logger,
    now: deps.now,
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(cronos.onStep ? { onStep: cronos.onStep } : {}),
  };
}
