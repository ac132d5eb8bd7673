import * as bip39 from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { InvalidMnemonicError } from "./keys-errors.js";
import { describeMnemonicProblem, mnemonicProblem, normaliseMnemonicWords } from "./mnemonic-validation.js";
import { type Secret, type SecretRegistry, secretBytes, secretRegistry, secretString } from "./secret.js";

/** A new agent gets a 24-word (256-bit) mnemonic; an imported one may also have 12 words. */
export const MNEMONIC_WORD_COUNT = 24;

/** A new random 24-word BIP39 English mnemonic. */
export function generateMnemonic(registry?: SecretRegistry): Secret<string> {
  return secretString(bip39.generateMnemonic(wordlist, 256), registry);
}

/**
 * Checks and normalises a mnemonic typed or pasted by a user: case and runs of whitespace do not
 * matter; 12 or 24 English words with a valid BIP39 checksum are accepted. `source` names where it came
 * from (e.g. `AGENT_MNEMONIC`) for the error message, which gives word positions but never the words.
 */
export function parseMnemonic(
  text: string,
  source = "the mnemonic",
  registry?: SecretRegistry,
): Secret<string> {
  const words = normaliseMnemonicWords(text);
  const phrase = words.join(" ");
  // Even an invalid phrase may be a real mnemonic with a typo: keep it out of every output.
  (registry ?? secretRegistry).add([phrase, text.trim()]);
  const problem = mnemonicProblem(words);
  if (problem) throw new InvalidMnemonicError(describeMnemonicProblem(problem, source));
  return secretString(phrase, registry);
}

/** The 64-byte BIP39 seed (no BIP39 passphrase, as ordinary wallets default to). */
export function mnemonicToSeed(mnemonic: Secret<string>, registry?: SecretRegistry): Secret<Uint8Array> {
  return secretBytes(bip39.mnemonicToSeedSync(mnemonic.reveal()), registry);
}
