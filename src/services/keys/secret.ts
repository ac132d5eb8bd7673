import { bytesToHex } from "@noble/hashes/utils.js";

/** What every secret shows when printed, serialised or inspected. */
export const SECRET_MARKER = "[redacted]";

const inspectCustom = Symbol.for("nodejs.util.inspect.custom");

/**
 * The string forms of every secret this process has held (mnemonic, private keys in hex and base64,
 * nsec, passphrase, Arweave key parts). The logging and persistence layers ask it for the strings to
 * scrub; nothing else should read it.
 */
export class SecretRegistry {
  readonly #values = new Set<string>();

  add(forms: Iterable<string>): void {
    for (const form of forms) if (form.length > 0) this.#values.add(form);
  }

  values(): string[] {
    return [...this.#values];
  }

  get size(): number {
    return this.#values.size;
  }

  toJSON(): string {
    return `[${this.#values.size} secrets]`;
  }

  [inspectCustom](): string {
    return `SecretRegistry [${this.#values.size} secrets]`;
  }
}

/** The process-wide registry every `Secret` registers its forms in unless told otherwise. */
export const secretRegistry = new SecretRegistry();

/** The secret strings to scrub from output; pass as the logger's `secrets` option. */
export function knownSecretValues(): string[] {
  return secretRegistry.values();
}

/**
 * Holds a secret value. Printing it in any way (`String`, template literals, `JSON.stringify`,
 * `util.inspect`, console.log) gives `[redacted]`; only `reveal()` returns the value. The value lives
 * in a private field, so it does not show in structural dumps of the wrapper either.
 */
export class Secret<T> {
  readonly #value: T;

  /** `forms` are the string spellings of the value that must never be printed; they are registered. */
  constructor(value: T, forms: Iterable<string> = [], registry: SecretRegistry = secretRegistry) {
    this.#value = value;
    registry.add(forms);
  }

  reveal(): T {
    return this.#value;
  }

  toString(): string {
    return SECRET_MARKER;
  }

  toJSON(): string {
    return SECRET_MARKER;
  }

  [Symbol.toPrimitive](): string {
    return SECRET_MARKER;
  }

  [inspectCustom](): string {
    return SECRET_MARKER;
  }
}

/** The spellings of secret bytes that a library or a careless log line could print. */
export function byteForms(bytes: Uint8Array): string[] {
  const hex = bytesToHex(bytes);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return [hex, hex.toUpperCase(), buffer.toString("base64"), buffer.toString("base64url")];
}

/** Wraps secret bytes, registering their hex and base64 spellings. */
export function secretBytes(bytes: Uint8Array, registry?: SecretRegistry): Secret<Uint8Array> {
  return new Secret(bytes, byteForms(bytes), registry);
}

/** Wraps a secret string, registering it. */
export function secretString(text: string, registry?: SecretRegistry): Secret<string> {
  return new Secret(text, [text], registry);
}
