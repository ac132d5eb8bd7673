import { GrpcCode, QueryError } from "../chain/chain-errors.js";

export interface PageRequestLike {
  readonly key: Uint8Array;
  readonly offset: { toString(): string };
  readonly limit: { toString(): string };
  readonly countTotal: boolean;
  readonly reverse: boolean;
}

export interface PageResult<T> {
  readonly items: T[];
  readonly pagination: { nextKey: Uint8Array; total: string };
}

const DEFAULT_LIMIT = 100;

/**
 * Offset/key pagination over an already-filtered list. `next_key` is an opaque cursor (the next index), as
 * node pagination keys are opaque to clients.
 */
export function paginate<T>(all: readonly T[], page: PageRequestLike | undefined): PageResult<T> {
  let start = 0;
  if (page && page.key.length > 0) {
    const decoded = Number.parseInt(new TextDecoder().decode(page.key), 10);
    if (!Number.isFinite(decoded) || decoded < 0)
      throw new QueryError(GrpcCode.InvalidArgument, "invalid pagination key");
    start = decoded;
  } else if (page) {
    start = Number(page.offset.toString());
  }
  const limitValue = page ? Number(page.limit.toString()) : 0;
  const limit = limitValue > 0 ? limitValue : DEFAULT_LIMIT;
  const ordered = page?.reverse ? [...all].reverse() : all;
  const items = ordered.slice(start, start + limit);
  const next = start + limit;
  return {
    items,
    pagination: {
      nextKey: next < ordered.length ? new TextEncoder().encode(String(next)) : new Uint8Array(),
      total: page?.countTotal ? String(ordered.length) : "0",
    },
  };
}

/** The node's rule: an offset without a state filter is rejected for market/deployment list queries. */
export function requireStateWithOffset(page: PageRequestLike | undefined, state: string): void {
  if (page && Number(page.offset.toString()) > 0 && state === "") {
    throw new QueryError(
      GrpcCode.InvalidArgument,
      "invalid request parameters. if offset is set, filter.state must be provided",
    );
  }
}
