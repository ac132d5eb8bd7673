import { wordlist } from "@scure/bip39/wordlists/english.js";

export const REDACTED = "[redacted]";

/** Property names whose values are secret wherever they appear. */
const secretKeyPattern =
  /^(mnemonic|seed|passphrase|password|privateKey|private_key|secretKey|secret|nsec|jwk|authorization|token|jwt|apiKey|api_key)$/i;

const bip39Words = new Set(wordlist);
const nsecPattern = /nsec1[02-9ac-hj-np-z]{58}/g;
const wordRunPattern = /[a-z]+(?:\s+[a-z]+){11,}/g;
const MIN_MNEMONIC_WORDS = 12;

/** Replaces every run of 12 or more consecutive BIP39 words (a mnemonic, or part of one). */
function scrubMnemonics(text: string): string {
  return text.replace(wordRunPattern, (run) => {
    const words = run.split(/(\s+)/);
    let out = "";
    let streak: string[] = [];
    const flush = () => {
      const count = streak.filter((part) => bip39Words.has(part)).length;
      out += count >= MIN_MNEMONIC_WORDS ? REDACTED : streak.join("");
      streak = [];
    };
    for (const part of words) {
      if (/^\s+$/.test(part)) {
        if (streak.length > 0) streak.push(part);
        else out += part;
      } else if (bip39Words.has(part)) {
        streak.push(part);
      } else {
        flush();
        out += part;
      }
    }
    flush();
    return out;
  });
}

export interface Redactor {
  /** Removes every known secret, mnemonic-like word run and nsec from a piece of text. */
  text(input: string): string;
  /** Deep copy of a JSON-like value with secret-named properties censored and every string scrubbed. */
  value<T>(input: T): T;
}

/**
 * Builds a redactor. `secrets` is asked for the current secret strings each time (keys can be
 * loaded or rotated after the redactor exists); each is removed both raw and in its JSON-escaped form.
 */
export function createRedactor(secrets: () => Iterable<string> = () => []): Redactor {
  const text = (input: string): string => {
    let output = input;
    for (const secret of secrets()) {
      if (secret.length < 6) continue;
      output = output.split(secret).join(REDACTED);
      const escaped = JSON.stringify(secret).slice(1, -1);
      if (escaped !== secret) output = output.split(escaped).join(REDACTED);
    }
    return scrubMnemonics(output.replace(nsecPattern, REDACTED));
  };

  const value = <T>(input: T): T => {
    const seen = new WeakSet<object>();
    const walk = (node: unknown): unknown => {
      if (typeof node === "string") return text(node);
      if (typeof node !== "object" || node === null) return node;
      if (seen.has(node)) return "[circular]";
      seen.add(node);
      if (Array.isArray(node)) return node.map(walk);
      if (node instanceof Error)
        return { type: node.name, message: text(node.message), stack: text(node.stack ?? "") };
      // Objects that say how they serialise (Secret gives its marker, Date its ISO string) are logged that way.
      const toJSON = (node as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === "function") return walk(toJSON.call(node));
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) {
        out[key] = secretKeyPattern.test(key) ? REDACTED : walk(child);
      }
      return out;
    };
    return walk(input) as T;
  };

  return { text, value };
}
