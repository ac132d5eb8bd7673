import type { ArweaveJwk } from "./arweave-key.js";
import { generateArweaveJwk } from "./arweave-key.js";
import { initialKeyIndices, isAccountIndex, type KeyIndices, type KeyKind, keyKinds } from "./key-indices.js";
import { KeystoreError, KeystoreExistsError } from "./keys-errors.js";
import { generateMnemonic } from "./mnemonic.js";
import type { Secret } from "./secret.js";

/** 2 added `rotatedAt`; version 1 contents (no rotation recorded) are still read. */
export const KEYSTORE_CONTENTS_VERSION = 2;

/** When each key moved to its current index (ISO-8601); a key not listed was not rotated since `createdAt`. */
export type KeyRotationTimes = Readonly<Partial<Record<KeyKind, string>>>;

/** Alert channel credentials the keystore may hold (the environment's AGENT_* variables override them). */
export const alertSecretNames = ["webhookSecret", "slackWebhookUrl", "telegramBotToken"] as const;
export type AlertSecretName = (typeof alertSecretNames)[number];
export type AlertSecrets = Readonly<Partial<Record<AlertSecretName, Secret<string>>>>;

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
  /** When each key was last rotated: saved with its index, in the same write. */
  readonly rotatedAt: KeyRotationTimes;
  /** Alert channel credentials (`keys set-alert-secret`); absent: none stored. */
  readonly alertSecrets?: AlertSecrets;
  /**
   * The Arweave wallets of this agent's children, by derivation index (DESIGN §13: a child's mnemonic
   * derives from ours, its random Arweave key cannot, so it is kept here, encrypted with the rest).
   */
  readonly childArweaveJwks?: Readonly<Record<string, Secret<ArweaveJwk>>>;
}

/** Where the keystore lives. A Vault or KMS backend implements the same four calls. */
export interface KeystoreBackend {
  /**
   * Whether `save` lasts beyond this process. Key rotation needs it: a rotated index that a restart
   * forgets would bring a retired key back.
   */
  readonly durable: boolean;
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
    rotatedAt: Object.freeze({}),
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
 * Changes the keystore in one load → change → save step; calls on the same backend object run one
 * after another, so two rotations in this process cannot lose each other's change. Indices only move
 * forward. The backend's save is atomic; one process writes a keystore at a time. A change that
 * returns the contents it was given saves nothing.
 */
function updateKeystore(
  backend: KeystoreBackend,
  change: (current: KeystoreContents) => KeystoreContents,
): Promise<KeystoreContents> {
  const previous = updateQueues.get(backend) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(async () => {
      const contents = await backend.load();
      const next = change(contents);
      if (next === contents) return contents;
      const keyIndices = checkIndices(contents.keyIndices, next.keyIndices, backend.describe());
      const updated: KeystoreContents = Object.freeze({ ...next, keyIndices });
      await backend.save(updated);
      return updated;
    });
  updateQueues.set(backend, run);
  return run;
}

/** Changes the key indices (see `updateKeystore`); indices only move forward. */
export function updateKeyIndices(
  backend: KeystoreBackend,
  change: (current: KeyIndices) => KeyIndices,
): Promise<KeystoreContents> {
  return updateKeystore(backend, (contents) => ({ ...contents, keyIndices: change(contents.keyIndices) }));
}

/**
 * Makes `toIndex` the current index of one key and records when, in the same save, so the rotation
 * schedule survives restarts. Repeating it (an at-least-once step) changes nothing once the key is
 * at `toIndex` or beyond.
 */
export function rotateKeyIndex(
  backend: KeystoreBackend,
  kind: KeyKind,
  toIndex: number,
  at: Date,
): Promise<KeystoreContents> {
  return updateKeystore(backend, (contents) => rotateKeyIndexOf(contents, kind, toIndex, at));
}

function rotateKeyIndexOf(
  contents: KeystoreContents,
  kind: KeyKind,
  toIndex: number,
  at: Date,
): KeystoreContents {
  if (contents.keyIndices[kind] >= toIndex) return contents;
  return {
    ...contents,
    keyIndices: { ...contents.keyIndices, [kind]: toIndex },
    rotatedAt: Object.freeze({ ...contents.rotatedAt, [kind]: at.toISOString() }),
  };
}

/** When a key was last rotated (ms): its recorded time, or the keystore's creation if it never was. */
export function lastRotatedAt(contents: KeystoreContents, kind: KeyKind): number {
  return Date.parse(contents.rotatedAt[kind] ?? contents.createdAt);
}

/** Moves one key to its next account index (a rotation at `at`). */
export function advanceKeyIndex(
  backend: KeystoreBackend,
  kind: KeyKind,
  at: Date = new Date(),
): Promise<KeystoreContents> {
  return updateKeystore(backend, (contents) =>
    rotateKeyIndexOf(contents, kind, contents.keyIndices[kind] + 1, at),
  );
}

/** Stores (or, with null, removes) one alert channel credential in the keystore, in one save. */
export function setAlertSecret(
  backend: KeystoreBackend,
  name: AlertSecretName,
  value: Secret<string> | null,
): Promise<KeystoreContents> {
  return updateKeystore(backend, (contents) => {
    const { [name]: _old, ...others } = contents.alertSecrets ?? {};
    return {
      ...contents,
      alertSecrets: Object.freeze(value === null ? others : { ...others, [name]: value }),
    };
  });
}
