import * as fs from "node:fs/promises";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { writeFileAtomic } from "../../../src/services/keys/atomic-write.js";
import {
  advanceKeyIndex,
  createKeystoreContents,
  type KeystoreContents,
  KeystoreError,
} from "../../../src/services/keys/index.js";
import { fileKeystore, makeTempDir, type TempDir } from "./support/keystore-fixtures.js";

vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  return { ...actual, rename: vi.fn(actual.rename), open: vi.fn(actual.open) };
});

const simulated = (code: string) => Object.assign(new Error(`${code}: simulated failure`), { code });

let dir: TempDir;
let contents: KeystoreContents;
beforeAll(async () => {
  dir = await makeTempDir();
  contents = await createKeystoreContents({ now: new Date("2026-01-01T00:00:00Z"), arweaveJwk: null });
});
afterAll(() => dir.remove());

describe("writeFileAtomic", () => {
  it("creates missing directories and writes mode 0600 even under a permissive umask", async () => {
    const path = join(dir.path, "a", "b", "file.json");
    const previous = process.umask(0);
    try {
      await writeFileAtomic(path, "hello");
    } finally {
      process.umask(previous);
    }
    expect(await readFile(path, "utf8")).toBe("hello");
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir.path, "a", "b"))).mode & 0o777).toBe(0o700);
  });

  it("a failed rename leaves the old file whole and no temporary file", async () => {
    const path = join(dir.path, "rename-fails.json");
    await writeFileAtomic(path, "old contents");
    vi.mocked(fs.rename).mockRejectedValueOnce(simulated("EIO"));
    await expect(writeFileAtomic(path, "new contents")).rejects.toThrow(/EIO/);
    expect(await readFile(path, "utf8")).toBe("old contents");
    expect(await readdir(dir.path)).not.toContainEqual(expect.stringMatching(/\.tmp$/));
  });

  it("a failed flush leaves the old file whole and no temporary file", async () => {
    const path = join(dir.path, "sync-fails.json");
    await writeFileAtomic(path, "old contents");
    const realOpen = (await vi.importActual<typeof import("node:fs/promises")>("node:fs/promises")).open;
    vi.mocked(fs.open).mockImplementationOnce(async (...args: Parameters<typeof realOpen>) => {
      const handle = await realOpen(...args);
      handle.sync = () => Promise.reject(simulated("ENOSPC"));
      return handle;
    });
    await expect(writeFileAtomic(path, "new contents")).rejects.toThrow(/ENOSPC/);
    expect(await readFile(path, "utf8")).toBe("old contents");
    expect((await readdir(dir.path)).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });
});

describe("keystore save under a write failure", () => {
  it("a rotation whose write fails is a KeystoreError and the keystore keeps its old indices", async () => {
    const path = join(dir.path, "keystore", "keystore.json");
    const keystore = fileKeystore(path);
    await keystore.save(contents);
    const before = await readFile(path);
    vi.mocked(fs.rename).mockRejectedValueOnce(simulated("EIO"));
    const failure = advanceKeyIndex(keystore, "akash");
    await expect(failure).rejects.toBeInstanceOf(KeystoreError);
    await expect(failure).rejects.toThrow(`cannot write keystore at ${path}: EIO`);
    expect(await readFile(path)).toEqual(before);
    expect(await readdir(join(dir.path, "keystore"))).toEqual(["keystore.json"]);
    expect((await keystore.load()).keyIndices.akash).toBe(0);
  });
});
