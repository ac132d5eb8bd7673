import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { writeFileAtomic } from "./atomic-write.js";
import { InvalidKeyInputError, KeystoreError, KeystoreNotFoundError } from "./keys-errors.js";
import type { KeystoreBackend, KeystoreContents } from "./keystore.js";
import { decodeKeystorePlaintext, encodeKeystorePlaintext } from "./keystore-codec.js";
import {
  DEFAULT_SCRYPT_PARAMS,
  openEnvelope,
  type ScryptParams,
  scryptParamsProblem,
  sealEnvelope,
} from "./scrypt-envelope.js";
import type { Secret } from "./secret.js";

export interface FileKeystoreOptions {
  /** The keystore file; relative paths resolve against the working directory. */
  readonly path: string;
  readonly passphrase: Secret<string>;
  /** scrypt cost used when saving (loading uses the file's own). Default N = 2^17, r = 8, p = 1; lower it only in tests. */
  readonly scrypt?: ScryptParams;
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? "unknown error";
}

/** The keystore as one passphrase-encrypted file (scrypt + AES-256-GCM, see scrypt-envelope.ts), mode 0600. */
export class FileKeystore implements KeystoreBackend {
  readonly durable = true;
  readonly path: string;
  readonly #passphrase: Secret<string>;
  readonly #scrypt: ScryptParams;

  constructor(options: FileKeystoreOptions) {
    this.path = resolve(options.path);
    if (options.passphrase.reveal().trim().length === 0) {
      throw new InvalidKeyInputError(
        `the passphrase for keystore ${this.path} is empty: set a non-empty passphrase`,
      );
    }
    this.#passphrase = options.passphrase;
    this.#scrypt = options.scrypt ?? DEFAULT_SCRYPT_PARAMS;
    const problem = scryptParamsProblem(this.#scrypt);
    if (problem) throw new RangeError(problem);
  }

  describe(): string {
    return `encrypted file ${this.path}`;
  }

  async exists(): Promise<boolean> {
    try {
      return (await stat(this.path)).isFile();
    } catch (error) {
      if (errorCode(error) === "ENOENT") return false;
      throw new KeystoreError(`cannot check keystore at ${this.path}: ${errorCode(error)}`, { cause: error });
    }
  }

  async load(): Promise<KeystoreContents> {
    const where = `keystore at ${this.path}`;
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if (errorCode(error) === "ENOENT") {
        throw new KeystoreNotFoundError(`no keystore at ${this.path}: create one with \`akash-agent init\``);
      }
      throw new KeystoreError(`cannot read ${where}: ${errorCode(error)}`, { cause: error });
    }
    const plaintext = await openEnvelope(text, this.#passphrase, where);
    try {
      return decodeKeystorePlaintext(plaintext, where);
    } finally {
      plaintext.fill(0);
    }
  }

  async save(contents: KeystoreContents): Promise<void> {
    const plaintext = encodeKeystorePlaintext(contents);
    let text: string;
    try {
      text = await sealEnvelope(plaintext, this.#passphrase, this.#scrypt);
    } finally {
      plaintext.fill(0);
    }
    try {
      await writeFileAtomic(this.path, text, 0o600);
    } catch (error) {
      throw new KeystoreError(`cannot write keystore at ${this.path}: ${errorCode(error)}`, { cause: error });
    }
  }
}
