import { getAddress, getCreate2Address, parseUnits, solidityPackedKeccak256 } from "ethers";
import { type CronosArtifacts, cronosArtifacts, pairInitCodeHash } from "./contract-artifacts.js";
import type { EvmNode } from "./evm-node.js";

export interface CronosContracts {
  readonly wcro: string;
  readonly factory: string;
  readonly router: string;
  readonly akt: string;
  /** The WCRO/AKT pair. */
  readonly pair: string;
}

export interface PoolSeed {
  /** USD price of 1 AKT (the Akash devnet's oracle price). */
  readonly aktPriceUsd: string;
  /** USD price of 1 CRO. */
  readonly croPriceUsd: string;
  /** Whole AKT in the pool; the WCRO side is worth the same in USD. */
  readonly poolAkt: number;
}

export interface PoolState {
  readonly reserveAkt: string;
  readonly reserveWcro: string;
  /** CRO per AKT at the reserves (before fee and slippage), as a decimal string. */
  readonly croPerAkt: string;
}

const DEPLOY_GAS = 8_000_000n;
const CALL_GAS = 1_000_000n;
const AKT_UNIT = 10n ** 6n;
const WEI_PER_CRO = 10n ** 18n;
const FACTOR_SCALE = 10n ** 9n;

function usd(name: string, value: string): bigint {
  let parsed: bigint;
  try {
    parsed = parseUnits(value, 18);
  } catch {
    throw new RangeError(`cronos devnet: ${name} must be a decimal number of USD (got "${value}")`);
  }
  if (parsed <= 0n) throw new RangeError(`cronos devnet: ${name} must be above 0 (got "${value}")`);
  return parsed;
}

/** Decimal string of `numerator / denominator` with 6 fractional digits (rounded down). */
function ratio(numerator: bigint, denominator: bigint): string {
  const scaled = (numerator * 1_000_000n) / denominator;
  const whole = scaled / 1_000_000n;
  const fraction = (scaled % 1_000_000n).toString().padStart(6, "0");
  return `${whole}.${fraction}`;
}

/**
 * The Uniswap V2 deployment on the Cronos stand-in (WETH9 as WCRO, Factory, Router02, the AKT token) and its
 * WCRO/AKT pool: seeded at the oracle prices, and re-priced by the "price moved" fault.
 */
export class UniswapPool {
  readonly contracts: CronosContracts;
  private readonly node: EvmNode;
  private readonly operator: string;
  private readonly artifacts: CronosArtifacts;

  private constructor(
    node: EvmNode,
    operator: string,
    contracts: CronosContracts,
    artifacts: CronosArtifacts,
  ) {
    this.node = node;
    this.operator = operator;
    this.contracts = contracts;
    this.artifacts = artifacts;
  }

  /** Deploys every contract from `operator` (also the AKT bridge) and adds the seed liquidity via Router02. */
  static async deploy(node: EvmNode, operator: string, seed: PoolSeed): Promise<UniswapPool> {
    const aktPrice = usd("aktPriceUsd", seed.aktPriceUsd);
    const croPrice = usd("croPriceUsd", seed.croPriceUsd);
    if (!Number.isInteger(seed.poolAkt) || seed.poolAkt < 1)
      throw new RangeError(`cronos devnet: poolAkt must be a whole number of AKT >= 1 (got ${seed.poolAkt})`);
    const a = cronosArtifacts();
    const deploy = async (what: string, bytecode: string, args: string) => {
      const receipt = await node.sendOk(
        { from: operator, data: bytecode + args.slice(2), gas: DEPLOY_GAS },
        `deploying ${what}`,
      );
      if (!receipt.contractAddress) throw new Error(`cronos devnet: ${what} has no contract address`);
      return getAddress(receipt.contractAddress);
    };
    const wcro = await deploy("WETH9 (WCRO)", a.weth9.bytecode, "0x");
    const factory = await deploy(
      "UniswapV2Factory",
      a.factory.bytecode,
      a.factory.abi.encodeDeploy([operator]),
    );
    const router = await deploy(
      "UniswapV2Router02",
      a.router.bytecode,
      a.router.abi.encodeDeploy([factory, wcro]),
    );
    const akt = await deploy("AKT", a.akt.bytecode, a.akt.abi.encodeDeploy([operator]));

    const aktUnits = BigInt(seed.poolAkt) * AKT_UNIT;
    const wcroWei = (BigInt(seed.poolAkt) * WEI_PER_CRO * aktPrice) / croPrice;
    await node.sendOk(
      {
        from: operator,
        to: akt,
        data: a.akt.abi.encodeFunctionData("mint_by_cronos_module", [operator, aktUnits]),
        gas: CALL_GAS,
      },
      "minting the pool's AKT",
    );
    await node.sendOk(
      {
        from: operator,
        to: akt,
        data: a.akt.abi.encodeFunctionData("approve", [router, aktUnits]),
        gas: CALL_GAS,
      },
      "approving the router",
    );
    const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600);
    await node.sendOk(
      {
        from: operator,
        to: router,
        value: wcroWei,
        gas: 5_000_000n,
        data: a.router.abi.encodeFunctionData("addLiquidityETH", [
          akt,
          aktUnits,
          aktUnits,
          wcroWei,
          operator,
          deadline,
        ]),
      },
      "adding the WCRO/AKT liquidity",
    );

    const [pair] = a.factory.abi.decodeFunctionResult(
      "getPair",
      await node.call(factory, a.factory.abi.encodeFunctionData("getPair", [akt, wcro])),
    ) as unknown as [string];
    // Router02's pairFor derives pair addresses with an init code hash compiled into its bytecode; it must be
    // the hash of the factory's pair code, or every quote and swap would address an empty account.
    const [token0, token1] = akt.toLowerCase() < wcro.toLowerCase() ? [akt, wcro] : [wcro, akt];
    const initCodeHash = pairInitCodeHash(a);
    const expected = getCreate2Address(
      factory,
      solidityPackedKeccak256(["address", "address"], [token0, token1]),
      initCodeHash,
    );
    const routerCode = await node.request<string>("eth_getCode", [router, "latest"]);
    if (expected !== pair || !routerCode.includes(initCodeHash.slice(2)))
      throw new Error(
        `cronos devnet: Router02's pair init code hash does not match the factory's pair (${initCodeHash}); quotes would fail`,
      );
    return new UniswapPool(node, operator, { wcro, factory, router, akt, pair }, a);
  }

  async state(): Promise<PoolState> {
    const { reserveAkt, reserveWcro } = await this.reserves();
    return {
      reserveAkt: reserveAkt.toString(),
      reserveWcro: reserveWcro.toString(),
      croPerAkt: ratio(reserveWcro * AKT_UNIT, reserveAkt * WEI_PER_CRO),
    };
  }

  /**
   * Moves the pool's price of AKT in CRO by `factor` (2 = AKT costs twice the CRO; 0.5 = half) by adding
   * to one side's reserve and calling the pair's `sync()`: WCRO (wrapped from the operator's CRO) when
   * the price rises, freshly minted AKT when it falls. The pool only ever gets deeper this way.
   */
  async movePrice(factor: number): Promise<PoolState> {
    if (!Number.isFinite(factor) || factor <= 0)
      throw new RangeError(`price factor must be a number above 0 (got ${factor})`);
    const scaled = BigInt(Math.round(factor * Number(FACTOR_SCALE)));
    if (scaled <= 0n) throw new RangeError(`price factor ${factor} is too small`);
    const { reserveAkt, reserveWcro } = await this.reserves();
    const { akt, pair, wcro } = this.contracts;
    if (scaled > FACTOR_SCALE) {
      const add = (reserveWcro * (scaled - FACTOR_SCALE)) / FACTOR_SCALE;
      await this.node.sendOk(
        {
          from: this.operator,
          to: wcro,
          value: add,
          data: this.artifacts.weth9.abi.encodeFunctionData("deposit", []),
          gas: CALL_GAS,
        },
        "wrapping CRO for the price move",
      );
      await this.node.sendOk(
        {
          from: this.operator,
          to: wcro,
          data: this.artifacts.weth9.abi.encodeFunctionData("transfer", [pair, add]),
          gas: CALL_GAS,
        },
        "adding WCRO to the pair",
      );
    } else if (scaled < FACTOR_SCALE) {
      const add = (reserveAkt * FACTOR_SCALE) / scaled - reserveAkt;
      await this.node.sendOk(
        {
          from: this.operator,
          to: akt,
          data: this.artifacts.akt.abi.encodeFunctionData("mint_by_cronos_module", [pair, add]),
          gas: CALL_GAS,
        },
        "adding AKT to the pair",
      );
    }
    await this.node.sendOk(
      {
        from: this.operator,
        to: pair,
        data: this.artifacts.pair.abi.encodeFunctionData("sync", []),
        gas: CALL_GAS,
      },
      "syncing the pair",
    );
    return this.state();
  }

  private async reserves(): Promise<{ reserveAkt: bigint; reserveWcro: bigint }> {
    const pairAbi = this.artifacts.pair.abi;
    const [reserve0, reserve1] = pairAbi.decodeFunctionResult(
      "getReserves",
      await this.node.call(this.contracts.pair, pairAbi.encodeFunctionData("getReserves", [])),
    ) as unknown as [bigint, bigint];
    const aktIsToken0 = this.contracts.akt.toLowerCase() < this.contracts.wcro.toLowerCase();
    return aktIsToken0
      ? { reserveAkt: reserve0, reserveWcro: reserve1 }
      : { reserveAkt: reserve1, reserveWcro: reserve0 };
  }
}
