import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  changeKeystorePassphrase,
  createKeystoreContents,
  InvalidKeyInputError,
  type KeystoreContents,
  KeystoreError,
  type PassphraseChangeStep,
  passphraseChangeSteps,
  passphraseChangeTemporaryPath,
} from "../../../src/services/keys/index.js";
import {
  fileKeystore,
  makeTempDir,
  TEST_SCRYPT,
  type TempDir,
  testPassphrase,
} from "./support/keystore-fixtures.js";

const OLD = "old passphrase";
const NEW = "new passphrase";

class SimulatedCrash extends Error {}

let dir: TempDir;
let path: string;
let contents: KeystoreContents;

beforeEach(async () => {
  dir = await makeTempDir();
  path = join(dir.path, "keystore.json");
  contents = await createKeystoreContents({ now: new Date("2026-12-01T00:00:00Z"), arweaveJwk: null });
  await fileKeystore(path, testPassphrase(OLD)).save(contents);
});

afterEach(() => dir.remove());

function change(options: { onStep?: (step: PassphraseChangeStep) => void; keepBackup?: boolean } = {}) {
  return changeKeystorePassphrase({
    path,
    current: testPassphrase(OLD),
    next: testPassphrase(NEW),
    now: new Date("2026-12-03T05:00:00Z"),
    scrypt: TEST_SCRYPT,
    ...options,
  });
}

async function opensWith(passphrase: string, file = path): Promise<boolean> {
  try {
    const loaded = await fileKeystore(file, testPassphrase(passphrase)).load();
    expect(loaded.mnemonic.reveal()).toBe(contents.mnemonic.reveal());
    expect(loaded.keyIndices).toEqual(contents.keyIndices);
    expect(loaded.createdAt).toBe(contents.createdAt);
    return true;
  } catch (error) {
    if (error instanceof KeystoreError) return false;
    throw error;
  }
}

describe("changeKeystorePassphrase", () => {
  it("re-encrypts the same contents under the new passphrase and leaves no other file behind", async () => {
    const result = await change();
    expect(result.backup).toBeNull();
    expect(await opensWith(NEW)).toBe(true);
    expect(await opensWith(OLD)).toBe(false);
    expect(await readdir(dir.path)).toEqual(["keystore.json"]);
  });

  it("keeps the old file, still under the old passphrase, when asked", async () => {
    const result = await change({ keepBackup: true });
    expect(result.backup).toBe(`${path}.passwd-2026-12-03T05-00-00-000Z.bak`);
    expect(await opensWith(NEW)).toBe(true);
    expect(await opensWith(OLD, result.backup ?? "")).toBe(true);
  });

  it("refuses a wrong current passphrase and changes nothing", async () => {
    const before = await readFile(path, "utf8");
    await expect(
      changeKeystorePassphrase({
        path,
        current: testPassphrase("not it"),
        next: testPassphrase(NEW),
        now: new Date(),
        scrypt: TEST_SCRYPT,
      }),
    ).rejects.toThrow(/cannot decrypt keystore at .*: wrong passphrase/);
    expect(await readFile(path, "utf8")).toBe(before);
    expect(await readdir(dir.path)).toEqual(["keystore.json"]);
  });

  it("refuses the same passphrase again", async () => {
    await expect(
      changeKeystorePassphrase({
        path,
        current: testPassphrase(OLD),
        next: testPassphrase(OLD),
        now: new Date(),
        scrypt: TEST_SCRYPT,
      }),
    ).rejects.toBeInstanceOf(InvalidKeyInputError);
  });

  // A throwing hook stops the change right after the step, as a crash there would: nothing after it runs.
  it.each(["written", "backed-up"] as const)(
    "stopped after %s, leaves the old keystore opening with the old passphrase, and can be run again",
    async (step) => {
      await expect(
        change({
          onStep: (current) => {
            if (current === step) throw new SimulatedCrash(step);
          },
        }),
      ).rejects.toBeInstanceOf(SimulatedCrash);
      expect(await opensWith(OLD)).toBe(true);
      expect(await opensWith(NEW)).toBe(false);
      expect(await readdir(dir.path)).toContain(".keystore.json.passwd.tmp");

      await changeKeystorePassphrase({
        path,
        current: testPassphrase(OLD),
        next: testPassphrase(NEW),
        now: new Date("2026-12-03T05:01:00Z"),
        scrypt: TEST_SCRYPT,
      });
      expect(await opensWith(NEW)).toBe(true);
      // Neither the temporary file nor a copy under the old passphrase is left from the stopped run.
      expect(await readdir(dir.path)).toEqual(["keystore.json"]);
    },
  );

  it("stopped after the rename, the keystore opens with the new passphrase and the backup with the old", async () => {
    await expect(
      change({
        onStep: (current) => {
          if (current === "replaced") throw new SimulatedCrash(current);
        },
      }),
    ).rejects.toBeInstanceOf(SimulatedCrash);
    expect(await opensWith(NEW)).toBe(true);
    expect(await opensWith(OLD, `${path}.passwd-2026-12-03T05-00-00-000Z.bak`)).toBe(true);
  });

  it("reports its steps in order", async () => {
    const seen: PassphraseChangeStep[] = [];
    await change({ onStep: (step) => void seen.push(step) });
    expect(seen).toEqual([...passphraseChangeSteps]);
  });

  it("names its temporary file after the keystore", () => {
    expect(passphraseChangeTemporaryPath("/data/keystore.json")).toBe("/data/.keystore.json.passwd.tmp");
  });
});
