import type { Fault } from "../fault-types.js";
import { akashGrpcDown, akashNodeErrors, akashNodeSlow, akashRpcDown } from "./akash-node.js";
import { arweaveDown } from "./arweave.js";
import { aktDrained, bridgeTimeout, cronosRpcDown, swapPriceMoved } from "./cronos.js";
import { escrowDrained } from "./funds.js";
import { clockJumpBack, clockJumpForward, storeDiskFull } from "./local.js";
import {
  providerClosesLease,
  providerDegraded,
  providerErrors,
  providerGarbage,
  providerOffline,
  providerReclaiming,
} from "./providers.js";
import { consoleDown, manifestRefused, noBids } from "./providers-market.js";
import { txFee, txOutOfGas, txSequence } from "./transactions.js";
import { receiversFailing, relayDown } from "./voice.js";

/** Every fault of the matrix, in the order of the table. */
export const ALL_FAULTS: readonly Fault[] = [
  akashRpcDown,
  akashGrpcDown,
  akashNodeErrors,
  akashNodeSlow,
  txSequence,
  txOutOfGas,
  txFee,
  providerOffline,
  providerDegraded,
  providerErrors,
  providerReclaiming,
  providerClosesLease,
  providerGarbage,
  manifestRefused,
  noBids,
  escrowDrained,
  consoleDown,
  aktDrained,
  cronosRpcDown,
  swapPriceMoved,
  bridgeTimeout,
  arweaveDown,
  relayDown,
  receiversFailing,
  clockJumpForward,
  clockJumpBack,
  storeDiskFull,
];

export function faultById(id: string): Fault {
  const fault = ALL_FAULTS.find((entry) => entry.id === id);
  if (!fault) {
    throw new Error(
      `no fault "${id}" in the matrix: use one of ${ALL_FAULTS.map((entry) => entry.id).join(", ")}`,
    );
  }
  return fault;
}
