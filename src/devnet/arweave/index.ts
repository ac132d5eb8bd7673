export { arweaveControlRoutes } from "./arweave-control-routes.js";
export { type ArweaveDevnet, isArweaveAddress, startArweaveDevnet } from "./arweave-devnet.js";
export {
  ARWEAVE_FAUCET_MAX_WINSTON,
  type ArweaveBlock,
  type ArweaveDevnetControl,
  type ArweaveDevnetOptions,
  type ArweaveDevnetStatus,
  type ArweaveGatewayFaultMode,
  DEFAULT_MINE_INTERVAL_MS,
  type DevnetArweaveInfo,
} from "./arweave-types.js";
