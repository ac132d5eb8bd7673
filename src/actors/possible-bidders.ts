import { couldBid, MAX_BIDS_PER_ORDER, toEffectFailure } from "../domain/index.js";
import type { Logger } from "../logging/index.js";
import type { AkashChain } from "../services/akash/index.js";

/**
 * How many bids can still come on the deployment's open orders: per open group, the registered
 * providers the chain would accept a bid from (`couldBid`: placement attributes, signedBy, storage
 * classes and GPUs; not the owner), less the excluded ones, at most the chain's bids per order.
 * Unbounded when any read fails: the collection then never ends early on this count.
 */
export async function possibleBids(
  chain: Pick<AkashChain, "owner" | "groups" | "registeredProviders">,
  dseq: string,
  excluded: ReadonlySet<string>,
  log: Pick<Logger, "info" | "warn">,
): Promise<number> {
  try {
    const [groups, providers] = await Promise.all([chain.groups(dseq), chain.registeredProviders()]);
    const open = groups.filter((group) => group.state === "open");
    if (open.length === 0) return Number.POSITIVE_INFINITY;
    const candidates = providers.filter((provider) => !excluded.has(provider.owner));
    let total = 0;
    for (const group of open) {
      const able = candidates.filter((provider) => couldBid(group.requirements, provider, chain.owner));
      log.info(
        {
          dseq,
          gseq: group.gseq,
          registered: providers.length,
          excluded: providers.length - candidates.length,
          couldBid: able.length,
        },
        "providers that could bid on the order",
      );
      total += Math.min(MAX_BIDS_PER_ORDER, able.length);
    }
    return total;
  } catch (error) {
    log.warn(
      { dseq, reason: toEffectFailure(error).message },
      "cannot tell which providers could bid: collecting without ending at the count of possible bidders",
    );
    return Number.POSITIVE_INFINITY;
  }
}
