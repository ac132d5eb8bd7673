import type { ArweaveJwk } from "./arweave-key.js";
import { generateArweaveJwk } from "./arweave-key.js";
import { initialKeyIndices, isAccountIndex, type KeyIndices, type KeyKind, keyKinds } from "./key-indices.js";
import { KeystoreError, KeystoreExistsError } from "./keys-errors.js";
import { generateMnemonic } from "./mnemonic.js";
import type { Secret } from "./secret.js";

export const KEYSTORE_CONTENTS_VERSION = 1;

/** Everything the agent's keys come from. Secrets are wrapped; the rest is public. */
export interface KeystoreContents {
  readonly version: typeof KEYSTORE_CONTENTS_VERSION;
  /** BIP39 mnemonic (24 words when generated, 12 or 24 when imported): every chain key derives from it. */
  readonly mnemonic: Secret<string>;
  /** Arweave wallet; null only when a development environment provides none. */
  readonly arweaveJwk: Secret<ArweaveJwk> | null;
  /** Current account index of each key; rotation advances one. */
  readonly keyIndices: KeyIndices;
  /** ISO-8601 time the keys were created. */
  readonly createdAt: string;
}

/** Where the keystore lives. A Vault or KMS backend implements the same four calls. */
export interface KeystoreBackend {
  /** Where the keys live, for messages and `status`: never a secret. */
  describe(): string;
  exists(): Promise<boolean>;
  /** The whole contents or an error (`KeystoreNotFoundError`, `KeystoreError`): never a partial key. */
  load(): Promise<KeystoreContents>;
  /** Replaces the stored contents in one step: after a crash the old or the new contents are there. */
  save(contents: KeystoreContents): Promise<void>;
}

export interface NewKeystoreOptions {
  readonly now: Date;
  /** Import an existing mnemonic instead of generating one. */
  readonly mnemonic?: Secret<string>;
  /** Import an existing Arweave wallet instead of generating one; `null` for none. */
  readonly arweaveJwk?: Secret<ArweaveJwk> | null;
}

/** Fresh keys: a new mnemonic and Arweave wallet (unless imported), every index at 0. */
export async function createKeystoreContents(options: NewKeystoreOptions): Promise<KeystoreContents> {
  return Object.freeze({
    version: KEYSTORE_CONTENTS_VERSION,
    mnemonic: options.mnemonic ?? generateMnemonic(),
    arweaveJwk: options.arweaveJwk === undefined ? await generateArweaveJwk() : options.arweaveJwk,
    keyIndices: initialKeyIndices,
    createdAt: options.now.toISOString(),
  });
}

/** Creates the agent's keys and saves them; refuses to replace a keystore that is already there. */
export async function initKeystore(
  backend: KeystoreBackend,
  options: NewKeystoreOptions,
): Promise<KeystoreContents> {
  const contents = await createKeystoreContents(options);
  await saveNewKeystore(backend, contents);
  return contents;
}

/** Saves contents made (and checked) beforehand as a new keystore; refuses to replace one that is there. */
export async function saveNewKeystore(backend: KeystoreBackend, contents: KeystoreContents): Promise<void> {
  if (await backend.exists()) {
    throw new KeystoreExistsError(
      `a keystore already exists (${backend.describe()}); it holds the agent's funds, so init will not ` +
        "replace it: move it away first if you really mean to start a new agent",
    );
  }
  await backend.save(contents);
}

const updateQueues = new WeakMap<KeystoreBackend, Promise<unknown>>();

function checkIndices(current: KeyIndices, next: KeyIndices, where: string): KeyIndices {
  const checked: Record<KeyKind, number> = { ...current };
  for (const kind of keyKinds) {
    const value = next[kind];
    if (!isAccountIndex(value)) {
      throw new KeystoreError(`key index ${kind} = ${value} is not an integer in 0 … 2147483647 (${where})`);
    }
    if (value < current[kind]) {
      throw new KeystoreError(
        `key index ${kind} cannot move back from ${current[kind]} to ${value} (${where}): ` +
          "a key that was rotated away must not come back",
      );
    }
    checked[kind] = value;
  }
  return Object.freeze(checked);
}

/**
 * Changes the key indices in one load → change → save step; calls on the same backend object run one
 * after another, so two rotations in this process cannot lose each other's change. Indices only move
 * forward. The backend's save is atomic; one process writes a keystore at a time.
 */
export function updateKeyIndices(
  backend: KeystoreBackend,
  change: (current: KeyIndices) => KeyIndices,
): Promise<KeystoreContents> {
  const previous = updateQueues.get(backend) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(async () => {
      const contents = await backend.load();
      const keyIndices = checkIndices(contents.keyIndices, change(contents.keyIndices), backend.describe());
      const updated: KeystoreContents = Object.freeze({ ...contents, keyIndices });
      await backend.save(updated);
      return updated;
    });
  updateQueues.set(backend, run);
  return run;
}

/** Moves one key to its next account index (a rotation). */
export function advanceKeyIndex(backend: KeystoreBackend, kind: KeyKind): Promise<KeystoreContents> {
  return updateKeyIndices(backend, (current) => ({ ...current, [kind]: current[kind] + 1 }));
}
