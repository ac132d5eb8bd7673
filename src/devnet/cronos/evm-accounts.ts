import { HDNodeWallet } from "ethers";
import { devnetMnemonic } from "../devnet-wallet.js";
import type { EvmAccount } from "./evm-node.js";

/** 10^12 CRO each: far more than any test spends, still finite. */
const GENESIS_BALANCE_WEI = 10n ** 30n;

export interface CronosDevnetAccounts {
  /** Deploys the contracts, provides the pool's liquidity and is the token's bridge (its only minter). */
  readonly operator: EvmAccount;
  /** Sends CRO to whoever asks the faucet. */
  readonly faucet: EvmAccount;
}

/**
 * The Cronos stand-in's own accounts, from the devnet's fixed public mnemonic on the Ethereum path
 * (m/44'/60'/0'/0/i): they guard nothing but local test funds.
 */
export function cronosDevnetAccounts(): CronosDevnetAccounts {
  const phrase = devnetMnemonic();
  const account = (index: number): EvmAccount => {
    const wallet = HDNodeWallet.fromPhrase(phrase, undefined, `m/44'/60'/0'/0/${index}`);
    return { address: wallet.address, privateKey: wallet.privateKey, balanceWei: GENESIS_BALANCE_WEI };
  };
  return { operator: account(0), faucet: account(1) };
}
