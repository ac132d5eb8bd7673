import { assertAccountIndex } from "./key-indices.js";

/** Standard BIP44 paths, one account per index, so every key imports into an ordinary wallet. */

/** Cosmos SDK coin type 118, as Keplr and the `akash` CLI use. */
export function akashHdPath(index: number): string {
  assertAccountIndex(index);
  return `m/44'/118'/${index}'/0/0`;
}

/** Ethereum coin type 60, as MetaMask and ethers use (Cronos EVM is an Ethereum chain). */
export function evmHdPath(index: number): string {
  assertAccountIndex(index);
  return `m/44'/60'/${index}'/0/0`;
}

/** NIP-06: coin type 1237, the account index is the varying part. */
export function nostrHdPath(index: number): string {
  assertAccountIndex(index);
  return `m/44'/1237'/${index}'/0/0`;
}
