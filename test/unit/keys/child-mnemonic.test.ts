import { inspect } from "node:util";
import { HDKey } from "@scure/bip32";
import { validateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { describe, expect, it } from "vitest";
import {
  AgentKeys,
  bip85Mnemonic,
  childEvmKey,
  childIdentity,
  childMnemonicPath,
  createKeystoreContents,
  deriveChildMnemonic,
  generateMnemonic,
  parseMnemonic,
  SecretRegistry,
} from "../../../src/services/keys/index.js";

/** BIP-85 (bitcoin/bips bip-0085.mediawiki), "Applications › BIP39 › 24 English words". */
const SPEC_ROOT =
  "xprv9s21ZrQH143K2LBWUUQRFXhucrQqBpKdRRxNVq2zBqsx8HVqFk2uYo8kmbaLLHRdqtQpUm98uKfu3vca1LqdGhUtyoFnCNkfmXRyPXLjbKb";
const SPEC_24_WORDS =
  "puppy ocean match cereal symbol another shed magic wrap hammer bulb intact gadget divorce twin tonight reason outdoor destroy simple truth cigar social volcano";

const parent = parseMnemonic(
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art",
);

describe("BIP-85 child mnemonics", () => {
  it("match the BIP-85 spec's 24-word BIP39 test vector", () => {
    expect(childMnemonicPath(0)).toBe("m/83696968'/39'/0'/24'/0'");
    expect(bip85Mnemonic(HDKey.fromExtendedKey(SPEC_ROOT), 0)).toBe(SPEC_24_WORDS);
  });

  it("are valid 24-word English mnemonics, one per index, the same every time", () => {
    const first = deriveChildMnemonic(parent, 0).reveal();
    expect(first.split(" ")).toHaveLength(24);
    expect(validateMnemonic(first, wordlist)).toBe(true);
    expect(deriveChildMnemonic(parent, 0).reveal()).toBe(first);
    const second = deriveChildMnemonic(parent, 1).reveal();
    expect(second).not.toBe(first);
    expect(deriveChildMnemonic(generateMnemonic(), 0).reveal()).not.toBe(first);
  });

  it("are secrets: printing them shows [redacted], and their words are registered for scrubbing", () => {
    const registry = new SecretRegistry();
    const child = deriveChildMnemonic(parent, 2, registry);
    expect(String(child)).toBe("[redacted]");
    expect(JSON.stringify({ child })).toBe('{"child":"[redacted]"}');
    expect(inspect(child)).toBe("[redacted]");
    expect(registry.values()).toContain(child.reveal());
  });

  it("refuse an index that is not a hardened BIP32 index", () => {
    for (const index of [-1, 1.5, 2 ** 31, Number.NaN]) {
      expect(() => deriveChildMnemonic(parent, index)).toThrow(RangeError);
    }
  });
});

describe("childIdentity", () => {
  it("is the public identity AgentKeys gives the child's mnemonic, and nothing secret", async () => {
    const identity = childIdentity(parent, 3);
    const contents = await createKeystoreContents({
      now: new Date("2026-01-01T00:00:00Z"),
      mnemonic: deriveChildMnemonic(parent, 3),
      arweaveJwk: null,
    });
    const keys = AgentKeys.fromContents(contents).identity;
    expect(identity).toEqual({
      index: 3,
      childId: keys.agentId,
      akash: keys.akash,
      npub: keys.npub,
      cronos: keys.evm,
    });
    // The key that holds the child's CRO (its retirement sweeps it) is the one its agent uses.
    expect(childEvmKey(parent, 3).address).toBe(keys.evm);
    expect(identity.childId).toMatch(/^agent-[0-9a-f]{32}$/);
    expect(identity.akash).toMatch(/^akash1/);
    expect(identity.npub).toMatch(/^npub1/);
    expect(identity.cronos).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(Object.keys(identity).sort()).toEqual(["akash", "childId", "cronos", "index", "npub"]);
  });

  it("differs between children and from the parent", async () => {
    const parentKeys = AgentKeys.fromContents(
      await createKeystoreContents({ now: new Date(), mnemonic: parent, arweaveJwk: null }),
    ).identity;
    const [a, b] = [childIdentity(parent, 0), childIdentity(parent, 1)];
    expect(new Set([a.childId, b.childId, parentKeys.agentId]).size).toBe(3);
    expect(new Set([a.akash, b.akash, parentKeys.akash]).size).toBe(3);
  });
});
