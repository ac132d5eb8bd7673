import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  FileKeystore,
  type ScryptParams,
  type Secret,
  toPassphrase,
} from "../../../../src/services/keys/index.js";

/** Cheap scrypt for tests; production uses DEFAULT_SCRYPT_PARAMS (N = 2^17). */
export const TEST_SCRYPT: ScryptParams = { N: 2 ** 10, r: 8, p: 1 };

export const TEST_PASSPHRASE_TEXT = "tests-only passphrase: Ünïcode ok";

export function testPassphrase(text = TEST_PASSPHRASE_TEXT): Secret<string> {
  return toPassphrase(text, "the test");
}

export interface TempDir {
  readonly path: string;
  remove(): Promise<void>;
}

export async function makeTempDir(): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), "akash-agent-keys-"));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export function fileKeystore(path: string, passphrase = testPassphrase()): FileKeystore {
  return new FileKeystore({ path, passphrase, scrypt: TEST_SCRYPT });
}
