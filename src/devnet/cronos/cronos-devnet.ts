import { getAddress } from "ethers";
import type { Chain } from "../chain/chain.js";
import type { FundResult } from "../faucet.js";
import { cronosArtifacts } from "./contract-artifacts.js";
import {
  CRONOS_DEVNET_CHAIN_ID,
  type CronosDevnetControl,
  type CronosDevnetOptions,
  DEFAULT_BRIDGE_DELAY_BLOCKS,
  DEFAULT_CRO_PRICE_USD,
  DEFAULT_POOL_AKT,
  type DevnetCronosInfo,
} from "./cronos-types.js";
import { cronosDevnetAccounts } from "./evm-accounts.js";
import { EvmNode } from "./evm-node.js";
import { IbcRelayer } from "./ibc-relayer.js";
import { UniswapPool } from "./uniswap-pool.js";

/** Most the Cronos faucet sends at once: 1,000,000 CRO. */
export const CRONOS_FAUCET_MAX_WEI = 10n ** 24n;

export interface CronosDevnet {
  readonly info: DevnetCronosInfo;
  readonly control: CronosDevnetControl;
  stop(): Promise<void>;
}

export interface StartCronosDevnetInput {
  readonly chain: Chain;
  /** The Akash devnet's oracle price of AKT in USD. */
  readonly aktPriceUsd: string;
  readonly options?: CronosDevnetOptions;
  readonly port?: number;
  readonly onError?: (error: unknown) => void;
}

/** 0x address in checksum form, or a RangeError that names the value (mixed case must checksum). */
export function evmAddress(address: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address))
    throw new RangeError(`${JSON.stringify(address)} is not a 0x… EVM address (20 bytes of hex)`);
  try {
    return getAddress(address);
  } catch {
    throw new RangeError(`${address} has a bad EIP-55 checksum: check its capitalisation or use lower case`);
  }
}

function nonNegativeInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 0)
    throw new RangeError(`startDevnet: cronos.${name} must be a whole number >= 0 (got ${value})`);
  return v;
}

/**
 * The Cronos stand-in: a Hardhat 2 EVM in process with Uniswap V2 (WETH9 as WCRO, Factory, Router02), the
 * AKT token and a seeded WCRO/AKT pool, its JSON-RPC on loopback, and the IBC relayer into `chain`.
 */
export async function startCronosDevnet(input: StartCronosDevnetInput): Promise<CronosDevnet> {
  const options = input.options ?? {};
  const chainId = options.chainId ?? CRONOS_DEVNET_CHAIN_ID;
  if (!Number.isInteger(chainId) || chainId < 1 || chainId === 25 || chainId === 338)
    throw new RangeError(
      `startDevnet: cronos.chainId must be a positive integer other than 25 and 338 (got ${chainId})`,
    );
  const delayBlocks = nonNegativeInt(
    "bridgeDelayBlocks",
    options.bridgeDelayBlocks,
    DEFAULT_BRIDGE_DELAY_BLOCKS,
  );
  const accounts = cronosDevnetAccounts();
  const node = await EvmNode.create({ chainId, accounts: [accounts.operator, accounts.faucet] });
  const pool = await UniswapPool.deploy(node, accounts.operator.address, {
    aktPriceUsd: input.aktPriceUsd,
    croPriceUsd: options.croPriceUsd ?? DEFAULT_CRO_PRICE_USD,
    poolAkt: options.poolAkt ?? DEFAULT_POOL_AKT,
  });
  const relayer = new IbcRelayer({
    chain: input.chain,
    node,
    token: pool.contracts.akt,
    tokenAbi: cronosArtifacts().akt.abi,
    bridge: accounts.operator.address,
    delayBlocks,
    ...(input.onError ? { onError: input.onError } : {}),
  });
  relayer.start(await node.blockNumber());
  let rpc: string;
  try {
    rpc = await node.start(input.port);
  } catch (error) {
    await relayer.stop();
    throw error;
  }

  const fund = async (address: string, amountWei: bigint | number | string): Promise<FundResult> => {
    const to = evmAddress(address);
    const amount = BigInt(amountWei);
    if (amount <= 0n || amount > CRONOS_FAUCET_MAX_WEI)
      throw new RangeError(`faucet: amount must be 1..${CRONOS_FAUCET_MAX_WEI} wei (got ${amount})`);
    const receipt = await node.sendOk(
      // Room for a contract wallet's receive hook; a plain account uses 21000.
      { from: accounts.faucet.address, to, value: amount, gas: 100_000n },
      `funding ${to}`,
    );
    return {
      address: to,
      amount: amount.toString(),
      denom: "wei",
      height: receipt.blockNumber.toString(),
      txHash: receipt.transactionHash,
    };
  };

  const control: CronosDevnetControl = {
    fund,
    setRpcDown: (mode = "error") => node.setRpcFault(mode),
    setRpcUp: () => node.setRpcFault(undefined),
    movePrice: (factor) => pool.movePrice(factor),
    pool: () => pool.state(),
    delayBridge: (blocks) => relayer.delay(blocks),
    timeOutBridge: (count) => relayer.timeOut(count),
    clearBridgeFaults: () => relayer.clearFaults(),
    transfers: () => relayer.list(),
    async status() {
      return {
        blockNumber: (await node.blockNumber()).toString(),
        rpcFault: node.rpcFault ?? null,
        bridge: {
          ...relayer.faultState(),
          delayBlocks,
          pending: relayer.list().filter((t) => t.outcome === "pending").length,
          lastError: relayer.lastError ?? null,
        },
        pool: await pool.state(),
        transfers: relayer.list(),
      };
    },
  };

  return {
    info: {
      rpc,
      chainId,
      router: pool.contracts.router,
      factory: pool.contracts.factory,
      wcro: pool.contracts.wcro,
      akt: pool.contracts.akt,
    },
    control,
    async stop() {
      await relayer.stop();
      await node.stop();
    },
  };
}
