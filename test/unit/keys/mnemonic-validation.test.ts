import { validateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { describe, expect, it } from "vitest";
import {
  describeMnemonicProblem,
  generateMnemonic,
  InvalidMnemonicError,
  mnemonicProblem,
  normaliseMnemonicWords,
  parseMnemonic,
} from "../../../src/services/keys/index.js";
import { wordRuns } from "./support/leak-scan.js";

const TWELVE = "legal winner thank year wave sausage worth useful legal winner thank yellow";
const TWENTY_FOUR =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon " +
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art";

function messageFor(text: string): string {
  try {
    parseMnemonic(text, "the imported mnemonic");
  } catch (error) {
    if (error instanceof InvalidMnemonicError) return error.message;
    throw error;
  }
  throw new Error("parseMnemonic accepted an invalid mnemonic");
}

/** A last word that breaks the checksum of these 23 words. */
function badChecksum(words: string[]): string[] {
  const head = words.slice(0, -1);
  const last = wordlist.find((word) => !validateMnemonic([...head, word].join(" "), wordlist));
  if (!last) throw new Error("no checksum-breaking word found");
  return [...head, last];
}

describe("mnemonicProblem", () => {
  it("accepts the BIP39 test vectors of 12 and 24 words", () => {
    expect(mnemonicProblem(normaliseMnemonicWords(TWELVE))).toBeNull();
    expect(mnemonicProblem(normaliseMnemonicWords(TWENTY_FOUR))).toBeNull();
  });

  it.each([0, 1, 11, 13, 15, 18, 21, 23, 25])("refuses %i words by count", (count) => {
    const words = Array.from({ length: count }, () => "abandon");
    expect(mnemonicProblem(words)).toEqual({ kind: "count", count });
  });

  it("names every word outside the list by its 1-based position", () => {
    const words = normaliseMnemonicWords(TWENTY_FOUR);
    words[0] = "abandun";
    words[16] = "xyz";
    expect(mnemonicProblem(words)).toEqual({ kind: "unknown-words", count: 24, positions: [1, 17] });
  });

  it("tells a checksum failure from a spelling one", () => {
    expect(mnemonicProblem(badChecksum(normaliseMnemonicWords(TWELVE)))).toEqual({
      kind: "checksum",
      count: 12,
    });
  });
});

describe("parseMnemonic's messages", () => {
  it("names the one wrong word's position and count, without echoing it", () => {
    const words = TWELVE.split(" ");
    words[6] = "wurth";
    const message = messageFor(words.join(" "));
    expect(message).toBe(
      "the imported mnemonic: word 7 of 12 is not in the BIP39 English word list; check its spelling",
    );
  });

  it("lists several wrong positions", () => {
    const words = TWENTY_FOUR.split(" ");
    words[2] = "abandn";
    words[9] = "abandom";
    words[23] = "artt";
    expect(messageFor(words.join(" "))).toContain(
      "words 3, 10 and 24 of 24 are not in the BIP39 English word list",
    );
  });

  it("says a bad checksum points at the last word first", () => {
    const words = badChecksum(TWENTY_FOUR.split(" "));
    expect(messageFor(words.join(" "))).toBe(
      "the imported mnemonic fails the BIP39 checksum: every word is in the list, but one is wrong or two " +
        "are swapped; word 24 carries the checksum, so check it first, then the others against your backup",
    );
  });

  it("says how many words were given and which counts are accepted", () => {
    expect(messageFor(TWELVE.split(" ").slice(0, 11).join(" "))).toMatch(
      /^the imported mnemonic has 11 words; a BIP39 English mnemonic of 12 or 24 words is accepted/,
    );
    expect(messageFor("")).toMatch(/has 0 words/);
  });

  it("never quotes two words of the phrase in a row", () => {
    const phrase = generateMnemonic().reveal();
    const words = phrase.split(" ");
    const variants = [
      words.slice(0, 23).join(" "),
      [...words.slice(0, 5), "notaword", ...words.slice(6)].join(" "),
      badChecksum(words).join(" "),
    ];
    for (const variant of variants) {
      const message = messageFor(variant);
      for (const run of wordRuns(variant, 2)) expect(message).not.toContain(run);
    }
  });

  it("describes each problem in one line", () => {
    for (const problem of [
      { kind: "count", count: 3 },
      { kind: "unknown-words", count: 12, positions: [4] },
      { kind: "checksum", count: 12 },
    ] as const) {
      expect(describeMnemonicProblem(problem, "x")).not.toContain("\n");
    }
  });
});
