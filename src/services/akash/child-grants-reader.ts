import type { AkashEndpoints } from "./akash-endpoints.js";
import type { ChildGrantsState } from "./child-grants.js";
import { HeightWatermark } from "./endpoint-failover.js";
import { GrantQueries } from "./grant-queries.js";
import { grpcFailover } from "./grpc-failover.js";

/** What a parent has granted its children, read without a key (e.g. `akash-agent family`). */
export interface ChildGrantsReader {
  childGrants(child: string): Promise<ChildGrantsState>;
}

/** The grants `granter` gave `child` as the chain shows them now (expired ones are not shown). */
export async function readChildGrants(
  grants: GrantQueries,
  granter: string,
  child: string,
): Promise<ChildGrantsState> {
  const [deposit, fee] = await Promise.all([
    grants.depositGrant(granter, child),
    grants.feeAllowance(granter, child),
  ]);
  return { deposit, fee };
}

/** A reader of `granter`'s grants over the network's gRPC endpoints (and fallbacks); no wallet needed. */
export function openChildGrantsReader(
  endpoints: AkashEndpoints,
  granter: string,
  options: { queryTimeoutMs?: number } = {},
): ChildGrantsReader {
  const grants = new GrantQueries(
    grpcFailover({
      urls: [endpoints.grpc, ...(endpoints.grpcFallbacks ?? [])],
      chainId: endpoints.chainId,
      timeoutMs: options.queryTimeoutMs ?? 15_000,
      watermark: new HeightWatermark(),
    }),
  );
  return { childGrants: (child) => readChildGrants(grants, granter, child) };
}
