import { inspect } from "node:util";
import { JwtTokenManager } from "@akashnetwork/chain-sdk";
import { makeSignDoc as makeAminoSignDoc, serializeSignDoc } from "@cosmjs/amino";
import { Secp256k1, Secp256k1Signature, sha256 } from "@cosmjs/crypto";
import { fromBase64, fromHex } from "@cosmjs/encoding";
import { makeSignBytes, makeSignDoc } from "@cosmjs/proto-signing";
import { describe, expect, it } from "vitest";
import {
  AgentKeys,
  createKeystoreContents,
  deriveAgentId,
  deriveAkashKey,
  deriveEvmKey,
  deriveNostrKey,
  generateMnemonic,
  type KeystoreContents,
  KeystoreError,
  mnemonicToSeed,
} from "../../../src/services/keys/index.js";

async function contentsAt(keyIndices: KeystoreContents["keyIndices"]): Promise<KeystoreContents> {
  const base = await createKeystoreContents({ now: new Date("2026-01-02T03:04:05Z"), arweaveJwk: null });
  return { ...base, keyIndices };
}

describe("AgentKeys", () => {
  it("identity is the public data of the keys at the current indices", async () => {
    const contents = await contentsAt({ akash: 2, evm: 1, nostr: 3, encryption: 4 });
    const keys = AgentKeys.fromContents(contents);
    const seed = mnemonicToSeed(contents.mnemonic);
    expect(keys.identity).toEqual({
      agentId: deriveAgentId(seed),
      akash: deriveAkashKey(seed, 2).address,
      evm: deriveEvmKey(seed, 1).address,
      nostrPubkey: deriveNostrKey(seed, 3).pubkey,
      npub: deriveNostrKey(seed, 3).npub,
      arweave: null,
      keyIndices: { akash: 2, evm: 1, nostr: 3, encryption: 4 },
    });
    expect(Object.isFrozen(keys.identity)).toBe(true);
  });

  it("agentId stays the same when keys rotate; addresses change", async () => {
    const before = AgentKeys.fromContents(await contentsAt({ akash: 0, evm: 0, nostr: 0, encryption: 0 }));
    const mnemonic = generateMnemonic();
    const at = async (index: number) =>
      AgentKeys.fromContents({
        ...(await contentsAt({ akash: index, evm: index, nostr: index, encryption: index })),
        mnemonic,
      }).identity;
    const zero = await at(0);
    const one = await at(1);
    expect(one.agentId).toBe(zero.agentId);
    expect(one.akash).not.toBe(zero.akash);
    expect(one.evm).not.toBe(zero.evm);
    expect(one.nostrPubkey).not.toBe(zero.nostrPubkey);
    expect(before.identity.agentId).not.toBe(zero.agentId);
  });

  it("key accessors default to the current index and accept an older one", async () => {
    const contents = await contentsAt({ akash: 1, evm: 1, nostr: 1, encryption: 1 });
    const keys = AgentKeys.fromContents(contents);
    expect(keys.akashKey().index).toBe(1);
    expect(keys.akashKey(0).index).toBe(0);
    expect(keys.akashKey().address).toBe(keys.identity.akash);
    expect(keys.evmKey().address).toBe(keys.identity.evm);
    expect(keys.nostrKey(0).pubkey).not.toBe(keys.identity.nostrPubkey);
    expect(keys.encryptionKey().reveal()).not.toEqual(keys.encryptionKey(0).reveal());
  });

  it("asking for a missing Arweave key is a clear KeystoreError", async () => {
    const keys = AgentKeys.fromContents(await contentsAt({ akash: 0, evm: 0, nostr: 0, encryption: 0 }));
    expect(() => keys.arweaveJwk()).toThrow(KeystoreError);
    expect(() => keys.arweaveJwk()).toThrow(/no Arweave key: set AGENT_ARWEAVE_JWK/);
  });

  it("prints only its identity", async () => {
    const contents = await contentsAt({ akash: 0, evm: 0, nostr: 0, encryption: 0 });
    const keys = AgentKeys.fromContents(contents);
    const words = contents.mnemonic.reveal().split(" ");
    for (const text of [inspect(keys, { depth: 10, showHidden: true }), JSON.stringify(keys), String(keys)]) {
      expect(text).not.toContain(`${words[0]} ${words[1]} ${words[2]}`);
    }
    expect(JSON.parse(JSON.stringify(keys))).toEqual({ identity: keys.identity });
  });
});

describe("Akash wallets", () => {
  it("sign transactions (direct) and amino docs with the Akash key at the chosen index", async () => {
    const contents = await contentsAt({ akash: 3, evm: 0, nostr: 0, encryption: 0 });
    const keys = AgentKeys.fromContents(contents);
    const wallets = await keys.akashWallets();
    const key = keys.akashKey();
    expect(wallets).toMatchObject({ index: 3, hdPath: "m/44'/118'/3'/0/0", address: key.address });
    const publicKey = fromHex(key.publicKey);

    const direct = wallets.direct.reveal();
    const signDoc = makeSignDoc(new Uint8Array([1, 2, 3]), new Uint8Array([4, 5]), "akashnet-2", 7);
    const directSigned = await direct.signDirect(key.address, signDoc);
    const directSignature = Secp256k1Signature.fromFixedLength(fromBase64(directSigned.signature.signature));
    expect(await Secp256k1.verifySignature(directSignature, sha256(makeSignBytes(signDoc)), publicKey)).toBe(
      true,
    );

    const amino = wallets.amino.reveal();
    const aminoDoc = makeAminoSignDoc([], { amount: [], gas: "0" }, "akashnet-2", "", 7, 0);
    const aminoSigned = await amino.signAmino(key.address, aminoDoc);
    const aminoSignature = Secp256k1Signature.fromFixedLength(fromBase64(aminoSigned.signature.signature));
    expect(
      await Secp256k1.verifySignature(aminoSignature, sha256(serializeSignDoc(aminoDoc)), publicKey),
    ).toBe(true);
  });

  it("the amino wallet drives chain-sdk's JwtTokenManager for the provider JWT", async () => {
    const keys = AgentKeys.fromContents(await contentsAt({ akash: 1, evm: 0, nostr: 0, encryption: 0 }));
    const wallets = await keys.akashWallets();
    // The manager checks the claims against the real clock.
    const now = Math.floor(Date.now() / 1000);
    const manager = new JwtTokenManager(wallets.amino.reveal());
    const token = await manager.generateToken({
      version: "v1",
      iss: wallets.address,
      iat: now,
      nbf: now,
      exp: now + 600,
      leases: { access: "full" },
    });
    expect(token.split(".")).toHaveLength(3);
    expect(manager.decodeToken(token)).toMatchObject({ iss: keys.identity.akash, version: "v1" });
  });

  it("wallet holders print as redacted", async () => {
    const contents = await contentsAt({ akash: 0, evm: 0, nostr: 0, encryption: 0 });
    const wallets = await AgentKeys.fromContents(contents).akashWallets();
    const words = contents.mnemonic.reveal().split(" ");
    const printed = [inspect(wallets, { depth: 10 }), JSON.stringify(wallets), String(wallets.direct)].join(
      "\n",
    );
    expect(printed).not.toContain(`${words[0]} ${words[1]} ${words[2]}`);
    expect(printed).toContain(wallets.address);
  });
});
