import * as bip39 from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { InvalidMnemonicError } from "./keys-errors.js";
import { type Secret, type SecretRegistry, secretBytes, secretRegistry, secretString } from "./secret.js";

/** Every agent has a 24-word (256-bit) mnemonic. */
export const MNEMONIC_WORD_COUNT = 24;

const englishWords = new Set(wordlist);

/** A new random 24-word BIP39 English mnemonic. */
export function generateMnemonic(registry?: SecretRegistry): Secret<string> {
  return secretString(bip39.generateMnemonic(wordlist, 256), registry);
}

/**
 * Checks and normalises a mnemonic typed or pasted by a user: case and runs of whitespace do not
 * matter. `source` names where it came from (e.g. `AGENT_MNEMONIC`) for the error message, which
 * gives word positions but never the words.
 */
export function parseMnemonic(
  text: string,
  source = "the mnemonic",
  registry?: SecretRegistry,
): Secret<string> {
  const words = text.normalize("NFKD").trim().toLowerCase().split(/\s+/).filter(Boolean);
  const phrase = words.join(" ");
  // Even an invalid phrase may be a real mnemonic with a typo: keep it out of every output.
  (registry ?? secretRegistry).add([phrase, text.trim()]);
  if (words.length !== MNEMONIC_WORD_COUNT) {
    throw new InvalidMnemonicError(
      `${source} has ${words.length} words; a 24-word BIP39 English mnemonic is required`,
    );
  }
  const unknown = words.findIndex((word) => !englishWords.has(word));
  if (unknown >= 0) {
    throw new InvalidMnemonicError(
      `${source}: word ${unknown + 1} of 24 is not in the BIP39 English word list; check its spelling`,
    );
  }
  if (!bip39.validateMnemonic(phrase, wordlist)) {
    throw new InvalidMnemonicError(
      `${source} fails the BIP39 checksum: a word is wrong or two are swapped; check it against your backup`,
    );
  }
  return secretString(phrase, registry);
}

/** The 64-byte BIP39 seed (no BIP39 passphrase, as ordinary wallets default to). */
export function mnemonicToSeed(mnemonic: Secret<string>, registry?: SecretRegistry): Secret<Uint8Array> {
  return secretBytes(bip39.mnemonicToSeedSync(mnemonic.reveal()), registry);
}
