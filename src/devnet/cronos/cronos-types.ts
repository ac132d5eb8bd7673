import type { FundResult } from "../faucet.js";
import type { CronosRpcFaultMode } from "./evm-node.js";
import type { BridgeFaultState, BridgeTransfer } from "./ibc-relayer.js";
import type { PoolState } from "./uniswap-pool.js";

/**
 * The devnet's EVM chain id: Hardhat's 31337 with Cronos's 25 appended. Not 25 (Cronos), 338 (Cronos
 * testnet) or 31337 (every Hardhat/Anvil node), so a signature made on the devnet is valid nowhere else.
 */
export const CRONOS_DEVNET_CHAIN_ID = 3_133_725;
export const DEFAULT_CRO_PRICE_USD = "0.10";
/** Whole AKT in the seeded pool (the CRO side holds the same USD value): about $50k a side at $1.25. */
export const DEFAULT_POOL_AKT = 40_000;
export const DEFAULT_BRIDGE_DELAY_BLOCKS = 3;

export interface CronosDevnetOptions {
  /** USD price of 1 CRO (default "0.10"); AKT's comes from the Akash devnet's `aktPriceUsd`. */
  readonly croPriceUsd?: string;
  /** Whole AKT seeded into the WCRO/AKT pool (default 40000). */
  readonly poolAkt?: number;
  /** Akash blocks between a `send_to_ibc` being seen and the uakt credited (default 3). */
  readonly bridgeDelayBlocks?: number;
  /** EVM chain id (default 3133725). */
  readonly chainId?: number;
}

/** The `cronos` entry of the devnet's endpoints (`--json`, `GET {control}/endpoints`). */
export interface DevnetCronosInfo {
  /** Ethereum JSON-RPC over HTTP. */
  readonly rpc: string;
  readonly chainId: number;
  /** UniswapV2Router02 (Cronos mainnet: VVS Finance's router). */
  readonly router: string;
  readonly factory: string;
  /** WETH9 standing for WCRO. */
  readonly wcro: string;
  /** The AKT token (6 decimals) with `send_to_ibc`. */
  readonly akt: string;
}

/** What the devnet handle offers for the Cronos stand-in (also served by the control API). */
export interface CronosDevnetControl {
  /** Sends `amountWei` CRO from the devnet's Cronos faucet account. */
  fund(address: string, amountWei: bigint | number | string): Promise<FundResult>;
  /** "error": the JSON-RPC answers HTTP 503 errors; "refuse": its port is closed. */
  setRpcDown(mode?: CronosRpcFaultMode): Promise<void>;
  setRpcUp(): Promise<void>;
  /** Multiplies the pool's CRO price of AKT by `factor`. */
  movePrice(factor: number): Promise<PoolState>;
  pool(): Promise<PoolState>;
  /** Adds `blocks` Akash blocks to every transfer seen from now on (0 removes the extra delay). */
  delayBridge(blocks: number): void;
  /** The next `count` transfers (default: all until cleared) time out and are refunded on Cronos. */
  timeOutBridge(count?: number): void;
  clearBridgeFaults(): void;
  /** Every `__CronosSendToIbc` the relayer has seen, with its outcome. */
  transfers(): readonly BridgeTransfer[];
  status(): Promise<CronosDevnetStatus>;
}

export interface CronosDevnetStatus {
  readonly blockNumber: string;
  readonly rpcFault: CronosRpcFaultMode | null;
  readonly bridge: BridgeFaultState & {
    readonly delayBlocks: number;
    readonly pending: number;
    /** The relayer's most recent failure (it retries pending transfers every Akash block). */
    readonly lastError: string | null;
  };
  readonly pool: PoolState;
  readonly transfers: readonly BridgeTransfer[];
}
