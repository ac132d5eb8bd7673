import { makeCosmoshubPath } from "@cosmjs/amino";
import { type AccountData, DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { sha256 } from "@noble/hashes/sha2.js";
import { entropyToMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";

/**
 * The devnet's own keys (faucet, auditor, providers) come from one fixed, publicly derivable mnemonic: it
 * guards nothing but local test funds, and it is never logged or written anywhere.
 */
export function devnetMnemonic(seedLabel = "akash-agent devnet v1"): string {
  return entropyToMnemonic(sha256(new TextEncoder().encode(seedLabel)), wordlist);
}

export const DEVNET_ACCOUNT_INDEX = {
  faucet: 0,
  auditor: 1,
  firstProvider: 2,
} as const;

export interface DevnetKeys {
  readonly wallet: DirectSecp256k1HdWallet;
  readonly accounts: readonly AccountData[];
  readonly faucet: string;
  readonly auditor: string;
  readonly providers: readonly string[];
}

export async function deriveDevnetKeys(providerCount: number, seedLabel?: string): Promise<DevnetKeys> {
  const count = DEVNET_ACCOUNT_INDEX.firstProvider + providerCount;
  const hdPaths = Array.from({ length: count }, (_, i) => makeCosmoshubPath(i));
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(devnetMnemonic(seedLabel), {
    prefix: "akash",
    hdPaths,
  });
  const accounts = await wallet.getAccounts();
  return {
    wallet,
    accounts,
    faucet: accounts[DEVNET_ACCOUNT_INDEX.faucet]!.address,
    auditor: accounts[DEVNET_ACCOUNT_INDEX.auditor]!.address,
    providers: accounts.slice(DEVNET_ACCOUNT_INDEX.firstProvider).map((a) => a.address),
  };
}
