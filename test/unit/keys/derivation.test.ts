import { stringToPath } from "@cosmjs/crypto";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { bytesToHex } from "@noble/hashes/utils.js";
import { mnemonicToSeedSync } from "@scure/bip39";
import { HDNodeWallet } from "ethers";
import { privateKeyFromSeedWords } from "nostr-tools/nip06";
import { getPublicKey } from "nostr-tools/pure";
import { describe, expect, it } from "vitest";
import {
  akashHdPath,
  deriveAgentId,
  deriveAkashKey,
  deriveEncryptionKey,
  deriveEvmKey,
  deriveNostrKey,
  evmHdPath,
  generateMnemonic,
  MAX_ACCOUNT_INDEX,
  mnemonicToSeed,
  nostrHdPath,
  parseMnemonic,
  secretBytes,
} from "../../../src/services/keys/index.js";

const indices = [0, 1, 2, 7, 1000, MAX_ACCOUNT_INDEX];
const mnemonic = generateMnemonic();
const seed = mnemonicToSeed(mnemonic);

describe("derivation paths", () => {
  it("are the standard BIP44 paths with the account index hardened", () => {
    expect(akashHdPath(3)).toBe("m/44'/118'/3'/0/0");
    expect(evmHdPath(3)).toBe("m/44'/60'/3'/0/0");
    expect(nostrHdPath(3)).toBe("m/44'/1237'/3'/0/0");
  });

  it.each([-1, 1.5, 2 ** 31, Number.NaN])("refuse account index %s", (index) => {
    expect(() => akashHdPath(index)).toThrow(RangeError);
    expect(() => deriveEncryptionKey(seed, index)).toThrow(RangeError);
  });
});

describe("Akash keys match cosmjs' own derivation", () => {
  it.each(indices)("at account index %i", async (index) => {
    const key = deriveAkashKey(seed, index);
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic.reveal(), {
      prefix: "akash",
      hdPaths: [stringToPath(`m/44'/118'/${index}'/0/0`)],
    });
    const [account] = await wallet.getAccounts();
    expect(key.address).toBe(account?.address);
    expect(key.address).toMatch(/^akash1[02-9ac-hj-np-z]{38}$/);
    expect(key.publicKey).toBe(bytesToHex(account?.pubkey ?? new Uint8Array()));
    expect(account?.algo).toBe("secp256k1");
    expect(key.publicKey).toMatch(/^0[23][0-9a-f]{64}$/);
    expect(key.hdPath).toBe(akashHdPath(index));
  });
});

describe("Cronos EVM keys match ethers' own derivation", () => {
  it.each(indices)("at account index %i", (index) => {
    const key = deriveEvmKey(seed, index);
    const wallet = HDNodeWallet.fromPhrase(mnemonic.reveal(), undefined, `m/44'/60'/${index}'/0/0`);
    expect(key.address).toBe(wallet.address);
    expect(key.privateKey.reveal()).toBe(wallet.privateKey);
    expect(key.address).not.toBe(key.address.toLowerCase());
  });
});

describe("Nostr keys match nostr-tools' NIP-06 derivation", () => {
  it.each(indices)("at account index %i", (index) => {
    const key = deriveNostrKey(seed, index);
    const expected = privateKeyFromSeedWords(mnemonic.reveal(), undefined, index);
    expect(bytesToHex(key.privateKey.reveal())).toBe(bytesToHex(expected));
    expect(key.pubkey).toBe(getPublicKey(expected));
    expect(key.npub).toMatch(/^npub1/);
    expect(key.nsec.reveal()).toMatch(/^nsec1/);
  });
});

describe("published test vectors", () => {
  // NIP-06 (github.com/nostr-protocol/nips/blob/master/06.md), both vectors, account 0.
  it("NIP-06 vector 1 (12 words)", () => {
    const words = "leader monkey parrot ring guide accident before fence cannon height naive bean";
    const key = deriveNostrKey(secretBytes(mnemonicToSeedSync(words)), 0);
    expect(bytesToHex(key.privateKey.reveal())).toBe(
      "7f7ff03d123792d6ac594bfa67bf6d0c0ab55b6b1fdb6249303fe861f1ccba9a",
    );
    expect(key.nsec.reveal()).toBe("nsec10allq0gjx7fddtzef0ax00mdps9t2kmtrldkyjfs8l5xruwvh2dq0lhhkp");
    expect(key.pubkey).toBe("17162c921dc4d2518f9a101db33695df1afb56ab82f5ff3e5da6eec3ca5cd917");
    expect(key.npub).toBe("npub1zutzeysacnf9rru6zqwmxd54mud0k44tst6l70ja5mhv8jjumytsd2x7nu");
  });

  it("NIP-06 vector 2 (24 words, through parseMnemonic)", () => {
    const words =
      "what bleak badge arrange retreat wolf trade produce cricket blur garlic valid proud rude strong " +
      "choose busy staff weather area salt hollow arm fade";
    const key = deriveNostrKey(mnemonicToSeed(parseMnemonic(words)), 0);
    expect(bytesToHex(key.privateKey.reveal())).toBe(
      "c15d739894c81a2fcfd3a2df85a0d2c0dbc47a280d092799f144d73d7ae78add",
    );
    expect(key.nsec.reveal()).toBe("nsec1c9wh8xy5eqdzln7n5t0ctgxjcrdug73gp5yj0x03gntn67h83twssdfhel");
    expect(key.pubkey).toBe("d41b22899549e1f3d335a31002cfd382174006e166d3e658e3a5eecdb6463573");
    expect(key.npub).toBe("npub16sdj9zv4f8sl85e45vgq9n7nsgt5qphpvmf7vk8r5hhvmdjxx4es8rq74h");
  });

  // The BIP39 all-"abandon" mnemonic's widely published Cosmos Hub and Ethereum account-0 addresses.
  it('the "abandon … about" mnemonic gives the known Cosmos and Ethereum addresses', () => {
    const words = `${"abandon ".repeat(11)}about`;
    const vectorSeed = secretBytes(mnemonicToSeedSync(words));
    const cosmos = fromBech32("cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4");
    expect(deriveAkashKey(vectorSeed, 0).address).toBe(toBech32("akash", cosmos.data));
    expect(deriveEvmKey(vectorSeed, 0).address).toBe("0x9858EfFD232B4033E47d90003D41EC34EcaEda94");
  });
});

describe("encryption key and agentId", () => {
  it("the encryption key is 32 bytes, fixed per (mnemonic, index) and different per index", () => {
    const first = deriveEncryptionKey(seed, 0).reveal();
    expect(first).toHaveLength(32);
    expect(deriveEncryptionKey(mnemonicToSeed(mnemonic), 0).reveal()).toEqual(first);
    const keys = indices.map((index) => bytesToHex(deriveEncryptionKey(seed, index).reveal()));
    expect(new Set(keys).size).toBe(indices.length);
  });

  it("the encryption key is none of the chain keys", () => {
    const encryption = bytesToHex(deriveEncryptionKey(seed, 0).reveal());
    expect(encryption).not.toBe(bytesToHex(deriveAkashKey(seed, 0).privateKey.reveal()));
    expect(encryption).not.toBe(bytesToHex(deriveNostrKey(seed, 0).privateKey.reveal()));
    expect(`0x${encryption}`).not.toBe(deriveEvmKey(seed, 0).privateKey.reveal());
  });

  it("agentId is fixed per mnemonic, differs between mnemonics and reveals no key", () => {
    const agentId = deriveAgentId(seed);
    expect(agentId).toMatch(/^agent-[0-9a-f]{32}$/);
    expect(deriveAgentId(mnemonicToSeed(mnemonic))).toBe(agentId);
    expect(deriveAgentId(mnemonicToSeed(generateMnemonic()))).not.toBe(agentId);
    const hex = agentId.slice("agent-".length);
    for (const index of [0, 1]) {
      expect(bytesToHex(deriveAkashKey(seed, index).privateKey.reveal())).not.toContain(hex);
      expect(deriveAkashKey(seed, index).publicKey).not.toContain(hex);
      expect(deriveNostrKey(seed, index).pubkey).not.toContain(hex);
      expect(bytesToHex(deriveEncryptionKey(seed, index).reveal())).not.toContain(hex);
    }
  });
});
