import * as bip39 from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";

/** A new agent's mnemonic has 24 words; an imported one may have 12 or 24 (what ordinary wallets write). */
export const ACCEPTED_MNEMONIC_WORD_COUNTS: readonly number[] = Object.freeze([12, 24]);

const englishWords = new Set(wordlist);

/** Splits typed or pasted words the way wallets do: case and runs of whitespace do not matter. */
export function normaliseMnemonicWords(text: string): string[] {
  return text.normalize("NFKD").trim().toLowerCase().split(/\s+/).filter(Boolean);
}

/** What is wrong with a mnemonic, by position: never the words themselves (they are a secret). */
export type MnemonicProblem =
  | { readonly kind: "count"; readonly count: number }
  | { readonly kind: "unknown-words"; readonly count: number; readonly positions: readonly number[] }
  | { readonly kind: "checksum"; readonly count: number };

/** The first problem with these (normalised) words, or null for a valid BIP39 English mnemonic. */
export function mnemonicProblem(words: readonly string[]): MnemonicProblem | null {
  const count = words.length;
  if (!ACCEPTED_MNEMONIC_WORD_COUNTS.includes(count)) return { kind: "count", count };
  const positions = words.flatMap((word, index) => (englishWords.has(word) ? [] : [index + 1]));
  if (positions.length > 0) return { kind: "unknown-words", count, positions };
  if (!bip39.validateMnemonic(words.join(" "), wordlist)) return { kind: "checksum", count };
  return null;
}

function listPositions(positions: readonly number[]): string {
  if (positions.length === 1) return `${positions[0]}`;
  return `${positions.slice(0, -1).join(", ")} and ${positions[positions.length - 1]}`;
}

/** One line for the user: where the problem is and what to do, naming positions and never words. */
export function describeMnemonicProblem(problem: MnemonicProblem, source: string): string {
  switch (problem.kind) {
    case "count":
      return (
        `${source} has ${problem.count} word${problem.count === 1 ? "" : "s"}; ` +
        `a BIP39 English mnemonic of ${ACCEPTED_MNEMONIC_WORD_COUNTS.join(" or ")} words is accepted: ` +
        "check for a missing, extra or run-together word"
      );
    case "unknown-words": {
      const plural = problem.positions.length > 1;
      return (
        `${source}: word${plural ? "s" : ""} ${listPositions(problem.positions)} of ${problem.count} ` +
        `${plural ? "are" : "is"} not in the BIP39 English word list; check ${plural ? "their" : "its"} spelling`
      );
    }
    case "checksum":
      return (
        `${source} fails the BIP39 checksum: every word is in the list, but one is wrong or two are swapped; ` +
        `word ${problem.count} carries the checksum, so check it first, then the others against your backup`
      );
  }
}
