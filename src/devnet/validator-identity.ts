import { toHex } from "@cosmjs/encoding";
import { sha256 } from "@noble/hashes/sha2.js";
import type { ValidatorIdentity } from "./rpc/comet-json.js";

/** The single validator's consensus identity, derived from the chain id so it is stable across runs. */
export function validatorIdentity(chainId: string): ValidatorIdentity {
  const pubKey = sha256(new TextEncoder().encode(`${chainId}/validator/ed25519`));
  const address = sha256(pubKey).slice(0, 20);
  return { pubKey, address, nodeId: toHex(sha256(address).slice(0, 20)), moniker: "akash-devnet-validator" };
}
