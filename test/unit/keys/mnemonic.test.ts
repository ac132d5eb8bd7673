import { validateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { describe, expect, it } from "vitest";
import {
  generateMnemonic,
  InvalidMnemonicError,
  knownSecretValues,
  MNEMONIC_WORD_COUNT,
  parseMnemonic,
} from "../../../src/services/keys/index.js";

function failure(text: string): InvalidMnemonicError {
  try {
    parseMnemonic(text, "AGENT_MNEMONIC");
  } catch (error) {
    if (error instanceof InvalidMnemonicError) return error;
    throw error;
  }
  throw new Error("parseMnemonic accepted an invalid mnemonic");
}

function expectNoWordsOf(message: string, words: string[]): void {
  // Single words can legitimately occur in the message ("check" is a BIP39 word); pairs in order cannot.
  for (let i = 0; i + 1 < words.length; i++) expect(message).not.toContain(`${words[i]} ${words[i + 1]}`);
}

describe("generateMnemonic", () => {
  it("gives 24 English words with a valid checksum, different every time", () => {
    const first = generateMnemonic().reveal();
    expect(first.split(" ")).toHaveLength(MNEMONIC_WORD_COUNT);
    expect(validateMnemonic(first, wordlist)).toBe(true);
    expect(generateMnemonic().reveal()).not.toBe(first);
  });
});

describe("parseMnemonic", () => {
  const mnemonic = generateMnemonic().reveal();
  const words = mnemonic.split(" ");

  it("accepts a valid mnemonic regardless of case and spacing, and normalises it", () => {
    const messy = `  ${words.map((w, i) => (i % 2 ? w.toUpperCase() : w)).join(" \n\t ")}  `;
    expect(parseMnemonic(messy).reveal()).toBe(mnemonic);
  });

  it("refuses a wrong word count, naming the count and not the words", () => {
    const error = failure(words.slice(0, 13).join(" "));
    expect(error.message).toBe(
      "AGENT_MNEMONIC has 13 words; a BIP39 English mnemonic of 12 or 24 words is accepted: " +
        "check for a missing, extra or run-together word",
    );
    expect(error.exitCode).toBe(2);
  });

  it("accepts a valid 12-word mnemonic as ordinary wallets write it", () => {
    const twelve =
      "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
    expect(parseMnemonic(twelve.toUpperCase()).reveal()).toBe(twelve);
  });

  it("refuses a word outside the list, naming its position only", () => {
    const bad = [...words];
    bad[4] = "notaword";
    const error = failure(bad.join(" "));
    expect(error.message).toContain("word 5 of 24 is not in the BIP39 English word list");
    expect(error.message).not.toContain("notaword");
    expectNoWordsOf(error.message, words);
  });

  it("refuses a checksum failure without echoing the words", () => {
    const swapped = [...words];
    const replacement = wordlist.find(
      (word) => word !== words[23] && !validateMnemonic([...words.slice(0, 23), word].join(" "), wordlist),
    );
    swapped[23] = replacement ?? "";
    const error = failure(swapped.join(" "));
    expect(error.message).toContain("fails the BIP39 checksum");
    expectNoWordsOf(error.message, swapped);
  });

  it("registers even a rejected phrase as a secret", () => {
    const bad = [...words.slice(0, 23), "zzz"].join(" ");
    failure(bad);
    expect(knownSecretValues()).toContain(bad);
  });
});
