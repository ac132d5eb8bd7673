import type { FundResult } from "../faucet.js";

/** How the gateway misbehaves while down: HTTP 502 answers (a gateway whose node is gone) or a closed port. */
export type ArweaveGatewayFaultMode = "error" | "refuse";

export const DEFAULT_MINE_INTERVAL_MS = 2000;
/** Most the faucet mints at once: 1000 AR. arlocal keeps balances as JS numbers, so stay below 2^53. */
export const ARWEAVE_FAUCET_MAX_WINSTON = 10n ** 15n;

export interface ArweaveDevnetOptions {
  /**
   * Every this many ms the gateway mines a block if transactions are pending (default 2000; 0 = only on
   * demand, through `mine()` or `POST {control}/arweave/mine`).
   */
  readonly mineIntervalMs?: number;
}

/** The `arweave` entry of the devnet's endpoints (`--json`, `GET {control}/endpoints`). */
export interface DevnetArweaveInfo {
  /** The gateway's base URL: arweave-js `Arweave.init({ host, port, protocol })`, GraphQL at `/graphql`. */
  readonly gateway: string;
}

export interface ArweaveBlock {
  readonly height: number;
  /** The block's id (arlocal's ids are 64 random characters, not real block hashes). */
  readonly current: string;
}

/** What the devnet handle offers for the Arweave stand-in (also served by the control API). */
export interface ArweaveDevnetControl {
  /** Mints `amountWinston` to an Arweave address (43 characters of base64url). */
  fund(address: string, amountWinston: bigint | number | string): Promise<FundResult>;
  /** Mines one block now, with every pending transaction in it. */
  mine(): Promise<ArweaveBlock>;
  /** "error" (default): every request answers 502; "refuse": the gateway's port is closed. */
  setGatewayDown(mode?: ArweaveGatewayFaultMode): Promise<void>;
  setGatewayUp(): Promise<void>;
  /** Each request to the gateway is answered `delayMs` late (0 removes the delay). */
  setGatewayDelay(delayMs: number): void;
  status(): Promise<ArweaveDevnetStatus>;
}

export interface ArweaveDevnetStatus {
  readonly height: number;
  readonly current: string;
  readonly pending: number;
  readonly mineIntervalMs: number;
  readonly fault: ArweaveGatewayFaultMode | null;
  readonly delayMs: number;
  /** The auto-miner's most recent failure (it tries again at the next interval). */
  readonly lastMineError: string | null;
}
