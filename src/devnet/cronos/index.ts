export { cronosControlRoutes } from "./cronos-control-routes.js";
export { CRONOS_FAUCET_MAX_WEI, type CronosDevnet, evmAddress, startCronosDevnet } from "./cronos-devnet.js";
export {
  CRONOS_DEVNET_CHAIN_ID,
  type CronosDevnetControl,
  type CronosDevnetOptions,
  type CronosDevnetStatus,
  DEFAULT_BRIDGE_DELAY_BLOCKS,
  DEFAULT_CRO_PRICE_USD,
  DEFAULT_POOL_AKT,
  type DevnetCronosInfo,
} from "./cronos-types.js";
export type { CronosRpcFaultMode } from "./evm-node.js";
export type { BridgeFaultState, BridgeOutcome, BridgeRefundReason, BridgeTransfer } from "./ibc-relayer.js";
export type { PoolState } from "./uniswap-pool.js";
