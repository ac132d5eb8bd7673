/** Where the treasury's Cronos leg is reached: the EVM JSON-RPC and the contracts it calls. */
export interface CronosEndpoints {
  readonly rpc: string;
  readonly chainId: number;
  /** Uniswap V2 Router02 (VVS Finance on Cronos mainnet). */
  readonly router: string;
  /** Wrapped CRO, the router's WETH. */
  readonly wcro: string;
  /** The AKT IBC voucher token (6 decimals) with `send_to_ibc`. */
  readonly akt: string;
}

/** How the Cronos leg spends: fee ceiling, swap deadline, slippage and caps (from config). */
export interface CronosPolicy {
  /** Highest maxFeePerGas paid, in wei. */
  readonly gasFeeCeilingWei: bigint;
  /** A transaction not mined after this long is replaced with the same nonce and higher fees. */
  readonly stuckTxAfterMs: number;
  readonly swapDeadlineSeconds: number;
  readonly slippageCapPercent: number;
  readonly perSwapCapUsd: number;
  /** Reference USD price of one CRO (slippage check, spend in USD). */
  readonly croUsd: number;
  /** Longest wait for bridged AKT to reach the Akash account. */
  readonly bridgeWaitMs: number;
  readonly pollIntervalMs: number;
}
