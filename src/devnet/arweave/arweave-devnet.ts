import type { FundResult } from "../faucet.js";
import { ArlocalNode } from "./arlocal-node.js";
import { ArweaveGateway } from "./arweave-gateway.js";
import {
  ARWEAVE_FAUCET_MAX_WINSTON,
  type ArweaveDevnetControl,
  type ArweaveDevnetOptions,
  DEFAULT_MINE_INTERVAL_MS,
  type DevnetArweaveInfo,
} from "./arweave-types.js";
import { AutoMiner } from "./auto-miner.js";

export interface ArweaveDevnet {
  readonly info: DevnetArweaveInfo;
  readonly control: ArweaveDevnetControl;
  stop(): Promise<void>;
}

export interface StartArweaveDevnetInput {
  readonly options?: ArweaveDevnetOptions;
  readonly port?: number;
}

/** An Arweave address: the base64url SHA-256 of the owner's public key, 43 characters. */
export function isArweaveAddress(address: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(address);
}

function mineInterval(value: number | undefined): number {
  const v = value ?? DEFAULT_MINE_INTERVAL_MS;
  if (!Number.isInteger(v) || v < 0 || (v > 0 && v < 10))
    throw new RangeError(
      `startDevnet: arweave.mineIntervalMs must be 0 (off) or an integer >= 10 (got ${value})`,
    );
  return v;
}

/**
 * The Arweave stand-in: arlocal in process behind a loopback gateway that can be taken down or slowed,
 * mining pending transactions every `mineIntervalMs` and on demand, with a faucet that mints winston.
 */
export async function startArweaveDevnet(input: StartArweaveDevnetInput = {}): Promise<ArweaveDevnet> {
  const intervalMs = mineInterval(input.options?.mineIntervalMs);
  const node = await ArlocalNode.start();
  const gateway = new ArweaveGateway(node);
  let url: string;
  try {
    url = await gateway.start(input.port);
  } catch (error) {
    await node.stop();
    throw error;
  }
  const miner = new AutoMiner(node, intervalMs);
  miner.start();

  const fund = async (address: string, amountWinston: bigint | number | string): Promise<FundResult> => {
    if (!isArweaveAddress(address))
      throw new RangeError(
        `${JSON.stringify(address)} is not an Arweave address (43 characters of base64url)`,
      );
    const amount = BigInt(amountWinston);
    if (amount <= 0n || amount > ARWEAVE_FAUCET_MAX_WINSTON)
      throw new RangeError(`faucet: amount must be 1..${ARWEAVE_FAUCET_MAX_WINSTON} winston (got ${amount})`);
    await node.mint(address, amount);
    const { height } = await node.info();
    return { address, amount: amount.toString(), denom: "winston", height: String(height) };
  };

  const control: ArweaveDevnetControl = {
    fund,
    mine: () => node.mine(),
    setGatewayDown: (mode = "error") => gateway.setFault(mode),
    setGatewayUp: () => gateway.setFault(undefined),
    setGatewayDelay: (delayMs) => gateway.setDelay(delayMs),
    async status() {
      const [block, pending] = await Promise.all([node.info(), node.pendingCount()]);
      return {
        ...block,
        pending,
        mineIntervalMs: intervalMs,
        fault: gateway.fault ?? null,
        delayMs: gateway.delayMs,
        lastMineError: miner.lastError ?? null,
      };
    },
  };

  return {
    info: { gateway: url },
    control,
    async stop() {
      await miner.stop();
      await gateway.stop();
      await node.stop();
    },
  };
}
