export {
  type CroToAktRequest,
  type CroToAktResult,
  quoteSwap,
  type SwapQuote,
  swapCroToAkt,
} from "./cro-to-akt-route.js";
export { type CroSweep, type CroSweepResult, type CroTransfer, sendCro, sweepCro } from "./cro-transfer.js";
export { aktTokenAbi, routerAbi } from "./cronos-abis.js";
export {
  CronosClient,
  type Eip1559Fees,
  type EvmCall,
  type MinedTx,
  type SignedTx,
  TRANSFER_GAS,
} from "./cronos-client.js";
export type { CronosEndpoints, CronosPolicy } from "./cronos-endpoints.js";
export { CronosRpcError } from "./cronos-errors.js";
export {
  bumpedFees,
  type CronosLegDeps,
  type CronosLegKind,
  type CronosLegStep,
  type CronosStepHook,
  feesUnderCeiling,
  runCronosLeg,
} from "./cronos-leg.js";
