/** One deploy measured from its request to an active lease with ready services. */
export interface DeployTiming {
  /** Wall time from the request to active. */
  readonly wallMs: number;
  /** Blocks the chain produced meanwhile. */
  readonly blocks: number;
  /** Transactions the deployer signed. */
  readonly txs: number;
  /** For the agent: from its lease's `generating_sdl` (inside the running process) to active. */
  readonly inner?: { readonly wallMs: number; readonly blocks: number };
}

export interface Spread {
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { mean: Number.NaN, min: Number.NaN, max: Number.NaN };
  return {
    mean: values.reduce((sum, value) => sum + value, 0) / values.length,
    min: Math.min(...values),
    max: Math.max(...values),
  };
}
