import { createRequire } from "node:module";
import { Interface, type InterfaceAbi, keccak256 } from "ethers";
import { DEVNET_AKT_ABI, DEVNET_AKT_BYTECODE } from "./contracts/devnet-akt-artifact.js";

export interface ContractArtifact {
  readonly abi: Interface;
  /** Init code, 0x-prefixed. */
  readonly bytecode: string;
}

interface ShippedArtifact {
  readonly abi: InterfaceAbi;
  readonly bytecode: string;
}

const require = createRequire(import.meta.url);

/** A build artifact as shipped in the npm package (Waffle JSON: `abi` plus `bytecode` without 0x). */
function shipped(artifact: ShippedArtifact, name: string): ContractArtifact {
  if (typeof artifact.bytecode !== "string" || artifact.bytecode.length === 0)
    throw new Error(`cronos devnet: the shipped ${name} artifact carries no bytecode`);
  const bytecode = artifact.bytecode.startsWith("0x") ? artifact.bytecode : `0x${artifact.bytecode}`;
  return { abi: new Interface(artifact.abi), bytecode };
}

export interface CronosArtifacts {
  readonly weth9: ContractArtifact;
  readonly factory: ContractArtifact;
  readonly pair: ContractArtifact;
  readonly router: ContractArtifact;
  readonly akt: ContractArtifact;
}

let cached: CronosArtifacts | undefined;

/**
 * The real Uniswap V2 bytecode from `@uniswap/v2-core` 1.0.1 and `@uniswap/v2-periphery` 1.1.0-beta.0
 * (WETH9 stands for WCRO), and the devnet's own AKT token compiled from `contracts/DevnetAkt.sol`.
 */
export function cronosArtifacts(): CronosArtifacts {
  cached ??= {
    weth9: shipped(require("@uniswap/v2-periphery/build/WETH9.json") as ShippedArtifact, "WETH9"),
    factory: shipped(
      require("@uniswap/v2-core/build/UniswapV2Factory.json") as ShippedArtifact,
      "UniswapV2Factory",
    ),
    pair: shipped(require("@uniswap/v2-core/build/UniswapV2Pair.json") as ShippedArtifact, "UniswapV2Pair"),
    router: shipped(
      require("@uniswap/v2-periphery/build/UniswapV2Router02.json") as ShippedArtifact,
      "UniswapV2Router02",
    ),
    akt: { abi: new Interface(DEVNET_AKT_ABI), bytecode: DEVNET_AKT_BYTECODE },
  };
  return cached;
}

/** keccak256 of the pair's creation code: what the factory's CREATE2 uses and `pairFor` must embed. */
export function pairInitCodeHash(artifacts: CronosArtifacts = cronosArtifacts()): string {
  return keccak256(artifacts.pair.bytecode);
}
