import { Secp256k1HdWallet } from "@cosmjs/amino";
import { stringToPath } from "@cosmjs/crypto";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { AKASH_BECH32_PREFIX } from "./akash-key.js";
import { akashHdPath } from "./hd-paths.js";
import { Secret } from "./secret.js";

/**
 * The cosmjs signers for the Akash key at one account index. Both hold the mnemonic, so both are
 * wrapped: `direct.reveal()` goes to `SigningStargateClient` / chain-sdk's transaction signer (SIGN_MODE_DIRECT);
 * `amino.reveal()` goes to chain-sdk's `JwtTokenManager`, which needs an amino signer for `signArbitrary`.
 */
export interface AkashWallets {
  readonly index: number;
  readonly hdPath: string;
  readonly address: string;
  readonly direct: Secret<DirectSecp256k1HdWallet>;
  readonly amino: Secret<Secp256k1HdWallet>;
}

export async function createAkashWallets(mnemonic: Secret<string>, index: number): Promise<AkashWallets> {
  const hdPath = akashHdPath(index);
  const options = { prefix: AKASH_BECH32_PREFIX, hdPaths: [stringToPath(hdPath)] };
  const [direct, amino] = await Promise.all([
    DirectSecp256k1HdWallet.fromMnemonic(mnemonic.reveal(), options),
    Secp256k1HdWallet.fromMnemonic(mnemonic.reveal(), options),
  ]);
  const [account] = await direct.getAccounts();
  if (!account) throw new Error(`cosmjs wallet at ${hdPath} has no account`);
  return Object.freeze({
    index,
    hdPath,
    address: account.address,
    direct: new Secret(direct),
    amino: new Secret(amino),
  });
}
