import { parseArweaveJwk } from "./arweave-key.js";
import { initialKeyIndices, keyIndicesSchema } from "./key-indices.js";
import { InvalidKeyInputError, KeystoreError } from "./keys-errors.js";
import { KEYSTORE_CONTENTS_VERSION, type KeystoreBackend, type KeystoreContents } from "./keystore.js";
import { parseMnemonic } from "./mnemonic.js";

export const MNEMONIC_ENV = "AGENT_MNEMONIC";
export const ARWEAVE_JWK_ENV = "AGENT_ARWEAVE_JWK";
export const KEY_INDICES_ENV = "AGENT_KEY_INDICES";

export interface EnvKeystoreOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Stands in for the creation time, which the environment does not carry: the first load's time. */
  readonly now?: () => Date;
}

/**
 * Development keystore read from the environment: `AGENT_MNEMONIC` (required), `AGENT_ARWEAVE_JWK`
 * (the wallet JWK as JSON, optional) and `AGENT_KEY_INDICES` (JSON, e.g. {"akash":1}; missing kinds
 * are 0). It is read-only: rotation cannot be persisted here, so an agent on it does not rotate keys.
 */
export class EnvKeystore implements KeystoreBackend {
  readonly durable = false;
  readonly #env: NodeJS.ProcessEnv;
  readonly #now: () => Date;
  #createdAt: string | undefined;

  constructor(options: EnvKeystoreOptions = {}) {
    this.#env = options.env ?? process.env;
    this.#now = options.now ?? (() => new Date());
  }

  describe(): string {
    return `environment (${MNEMONIC_ENV})`;
  }

  async exists(): Promise<boolean> {
    return (this.#env[MNEMONIC_ENV] ?? "").trim().length > 0;
  }

  async load(): Promise<KeystoreContents> {
    const mnemonicText = this.#env[MNEMONIC_ENV];
    if (mnemonicText === undefined || mnemonicText.trim().length === 0) {
      throw new InvalidKeyInputError(
        `${MNEMONIC_ENV} is not set: export the agent's 24-word mnemonic, or use the file keystore ` +
          "(keystore.backend: file, created by `akash-agent init`)",
      );
    }
    const mnemonic = parseMnemonic(mnemonicText, MNEMONIC_ENV);
    const arweaveJwk = this.#readArweaveJwk();
    const keyIndices = this.#readKeyIndices();
    this.#createdAt ??= this.#now().toISOString();
    return Object.freeze({
      version: KEYSTORE_CONTENTS_VERSION,
      mnemonic,
      arweaveJwk,
      keyIndices,
      createdAt: this.#createdAt,
      // The environment records no rotation (it cannot save one), so none is ever due from it.
      rotatedAt: Object.freeze({}),
    });
  }

  async save(contents: KeystoreContents): Promise<void> {
    throw new KeystoreError(
      `the environment keystore is read-only and cannot persist key rotation: set ${KEY_INDICES_ENV}='` +
        `${JSON.stringify(contents.keyIndices)}' before the next start, or move to the file keystore (akash-agent init)`,
    );
  }

  #readArweaveJwk(): KeystoreContents["arweaveJwk"] {
    const text = this.#env[ARWEAVE_JWK_ENV];
    if (text === undefined || text.trim().length === 0) return null;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // The parser's message can quote the text, which holds the private key: say only where.
      throw new InvalidKeyInputError(
        `${ARWEAVE_JWK_ENV} is not JSON: set it to the Arweave wallet's JWK file contents`,
      );
    }
    const parsed = parseArweaveJwk(json);
    if (!parsed.ok)
      throw new InvalidKeyInputError(`${ARWEAVE_JWK_ENV} is not an Arweave wallet: ${parsed.reason}`);
    return parsed.jwk;
  }

  #readKeyIndices(): KeystoreContents["keyIndices"] {
    const text = this.#env[KEY_INDICES_ENV];
    if (text === undefined || text.trim().length === 0) return initialKeyIndices;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = keyIndicesSchema.partial().safeParse(json);
    if (!parsed.success) {
      throw new InvalidKeyInputError(
        `${KEY_INDICES_ENV} is not valid: expected JSON like ` +
          '{"akash":1,"evm":0,"nostr":0,"encryption":0} with integers from 0 to 2147483647',
      );
    }
    return Object.freeze({ ...initialKeyIndices, ...parsed.data });
  }
}
