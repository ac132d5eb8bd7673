import { open, readdir, readFile, rename, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { syncDirectory, writeFileAtomic } from "./atomic-write.js";
import { InvalidKeyInputError, KeystoreError, KeystoreNotFoundError } from "./keys-errors.js";
import type { KeystoreContents } from "./keystore.js";
import { decodeKeystorePlaintext, encodeKeystorePlaintext } from "./keystore-codec.js";
import { DEFAULT_SCRYPT_PARAMS, openEnvelope, type ScryptParams, sealEnvelope } from "./scrypt-envelope.js";
import type { Secret } from "./secret.js";

/**
 * The durable points of a passphrase change, in order: the re-encrypted file is written and flushed
 * beside the keystore (`written`), the old file is copied to its backup (`backed-up`), the new file
 * has replaced the keystore (`replaced`). Before `replaced` the old keystore is in place and opens
 * with the old passphrase; from `replaced` on the new one opens with the new passphrase.
 */
export const passphraseChangeSteps = ["written", "backed-up", "replaced"] as const;
export type PassphraseChangeStep = (typeof passphraseChangeSteps)[number];

export interface ChangePassphraseOptions {
  /** The keystore file. */
  readonly path: string;
  readonly current: Secret<string>;
  readonly next: Secret<string>;
  /** Names the backup (`<path>.passwd-<time>.bak`). */
  readonly now: Date;
  /** Keep the old file (still encrypted under the old passphrase) once the new one is verified. */
  readonly keepBackup?: boolean;
  /** scrypt cost of the new file. Default N = 2^17; lower it only in tests. */
  readonly scrypt?: ScryptParams;
  /** Called after each durable step; the crash tests stop the process there. */
  readonly onStep?: (step: PassphraseChangeStep) => void | Promise<void>;
}

export interface PassphraseChangeResult {
  readonly path: string;
  /** The old file, kept when asked for; null once removed. */
  readonly backup: string | null;
  readonly contents: KeystoreContents;
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? "unknown error";
}

async function openText(text: string, passphrase: Secret<string>, where: string): Promise<KeystoreContents> {
  const plaintext = await openEnvelope(text, passphrase, where);
  try {
    return decodeKeystorePlaintext(plaintext, where);
  } finally {
    plaintext.fill(0);
  }
}

function sameContents(a: KeystoreContents, b: KeystoreContents): boolean {
  return (
    a.version === b.version &&
    a.mnemonic.reveal() === b.mnemonic.reveal() &&
    isDeepStrictEqual(a.arweaveJwk?.reveal() ?? null, b.arweaveJwk?.reveal() ?? null) &&
    isDeepStrictEqual({ ...a.keyIndices }, { ...b.keyIndices }) &&
    a.createdAt === b.createdAt
  );
}

/** Writes `text` to a new file created with mode 0600 and flushes it to disk. */
async function writeFlushed(path: string, text: string): Promise<void> {
  await rm(path, { force: true });
  const handle = await open(path, "wx", 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The name of the re-encrypted file while it is being written and checked (one per keystore). */
export function passphraseChangeTemporaryPath(path: string): string {
  const absolute = resolve(path);
  return join(dirname(absolute), `.${basename(absolute)}.passwd.tmp`);
}

/**
 * Re-encrypts a file keystore under a new passphrase so that a crash at any instant leaves a keystore
 * that opens: with the old passphrase until the new file has replaced it, with the new one after.
 * The new file is written beside the keystore and flushed, decrypted again with the new passphrase
 * and compared with the old contents, the old file is copied to `<path>.passwd-<time>.bak`, and only then is
 * the new file renamed over the keystore. The backup is removed once the keystore on disk is the
 * verified file (unless `keepBackup`): a copy under the old passphrase would defeat the change.
 */
export async function changeKeystorePassphrase(
  options: ChangePassphraseOptions,
): Promise<PassphraseChangeResult> {
  const path = resolve(options.path);
  const where = `keystore at ${path}`;
  let oldText: string;
  try {
    oldText = await readFile(path, "utf8");
  } catch (error) {
    if (errorCode(error) === "ENOENT") {
      throw new KeystoreNotFoundError(`no keystore at ${path}: create one with \`akash-agent init\``);
    }
    throw new KeystoreError(`cannot read ${where}: ${errorCode(error)}`, { cause: error });
  }
  const contents = await openText(oldText, options.current, where);
  if (options.next.reveal() === options.current.reveal()) {
    throw new InvalidKeyInputError(
      "the new keystore passphrase is the same as the current one: choose another",
    );
  }
  if (options.next.reveal().trim().length === 0) {
    throw new InvalidKeyInputError("the new keystore passphrase is empty: choose a non-empty passphrase");
  }

  const plaintext = encodeKeystorePlaintext(contents);
  let newText: string;
  try {
    newText = await sealEnvelope(plaintext, options.next, options.scrypt ?? DEFAULT_SCRYPT_PARAMS);
  } finally {
    plaintext.fill(0);
  }

  const temporary = passphraseChangeTemporaryPath(path);
  try {
    await writeFlushed(temporary, newText);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new KeystoreError(`cannot write ${temporary}: ${errorCode(error)}`, { cause: error });
  }
  await options.onStep?.("written");

  try {
    const written = await readFile(temporary, "utf8");
    const reopened = await openText(written, options.next, `re-encrypted keystore ${temporary}`);
    if (written !== newText || !sameContents(reopened, contents)) {
      throw new KeystoreError(
        `the re-encrypted keystore ${temporary} does not read back as written: the keystore was left unchanged; check the disk`,
      );
    }
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }

  const backup = `${path}.passwd-${options.now.toISOString().replace(/[:.]/g, "-")}.bak`;
  try {
    await writeFileAtomic(backup, oldText, 0o600);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new KeystoreError(
      `cannot write the backup ${backup}: ${errorCode(error)}; the keystore was left unchanged`,
      {
        cause: error,
      },
    );
  }
  await options.onStep?.("backed-up");

  try {
    await rename(temporary, path);
    await syncDirectory(dirname(path));
  } catch (error) {
    throw new KeystoreError(
      `cannot replace ${where}: ${errorCode(error)}; the old file is kept at ${backup} (old passphrase)`,
      { cause: error },
    );
  }
  await options.onStep?.("replaced");

  const onDisk = await readFile(path, "utf8").catch(() => null);
  if (onDisk !== newText) {
    await rename(backup, path);
    await syncDirectory(dirname(path));
    throw new KeystoreError(
      `${where} does not hold the re-encrypted file after the rename: the old file was put back (old passphrase)`,
    );
  }
  await removeLeftoverBackups(path, oldText, backup);
  if (options.keepBackup) return { path, backup, contents };
  await rm(backup, { force: true });
  await syncDirectory(dirname(path));
  return { path, backup: null, contents };
}

/**
 * Removes the copies of the file just replaced that earlier runs stopped by a crash left behind (a
 * `<keystore>.passwd-<time>.bak` byte for byte equal to it): they still open with the old passphrase.
 */
async function removeLeftoverBackups(path: string, oldText: string, keep: string): Promise<void> {
  const directory = dirname(path);
  const prefix = `${basename(path)}.passwd-`;
  for (const name of await readdir(directory)) {
    const candidate = join(directory, name);
    if (!name.startsWith(prefix) || !name.endsWith(".bak") || candidate === keep) continue;
    const text = await readFile(candidate, "utf8").catch(() => null);
    if (text === oldText) await rm(candidate, { force: true });
  }
}
