import type { AlertNotice, FundsRequest, RoutedFundsAnswer } from "../shared/index.js";

export type TreasuryEvent =
  | ({ type: "TREASURY.FUNDS_REQUESTED" } & FundsRequest)
  | { type: "TREASURY.WALLET_LOW"; runwayDays: number }
  | { type: "TREASURY.SWAP_NEEDED"; reason: string };

export type TreasuryNotice =
  | RoutedFundsAnswer
  | { type: "TREASURY.SWAPPED"; receivedUakt: string }
  | AlertNotice;
