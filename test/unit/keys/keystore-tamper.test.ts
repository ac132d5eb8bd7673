import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeystoreContents, KeystoreError } from "../../../src/services/keys/index.js";
import { openEnvelope } from "../../../src/services/keys/scrypt-envelope.js";
import { fileKeystore, makeTempDir, type TempDir, testPassphrase } from "./support/keystore-fixtures.js";

// No Arweave key here: tampering is about the envelope, and RSA-4096 generation is slow.
let dir: TempDir;
let original: Buffer;
let path: string;

beforeAll(async () => {
  dir = await makeTempDir();
  path = join(dir.path, "keystore.json");
  const contents = await createKeystoreContents({ now: new Date("2026-01-01T00:00:00Z"), arweaveJwk: null });
  await fileKeystore(path).save(contents);
  original = await readFile(path);
});
afterAll(() => dir.remove());

const passphrase = testPassphrase();

/** Opens envelope text as FileKeystore.load does; returns the KeystoreError's message, or fails the test. */
async function refusal(text: string): Promise<string> {
  try {
    await openEnvelope(text, passphrase, "keystore at K");
  } catch (error) {
    expect(error).toBeInstanceOf(KeystoreError);
    return (error as KeystoreError).message;
  }
  throw new Error("a modified keystore opened");
}

function flipBit(bytes: Buffer, offset: number, bit: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[offset] = (copy[offset] ?? 0) ^ (1 << bit);
  return copy;
}

/** Byte offsets of a JSON string or number value in the file text. */
function valueOffsets(text: string, key: string): number[] {
  const match = new RegExp(`"${key}": ("?)([^",\\n]*)`).exec(text);
  if (!match?.[2]) throw new Error(`no ${key} in the keystore`);
  const start = match.index + match[0].length - match[2].length;
  return Array.from({ length: match[2].length }, (_, i) => start + i);
}

const sample = (offsets: number[], count: number) =>
  offsets.filter((_, i) => i % Math.max(1, Math.floor(offsets.length / count)) === 0);

describe("a modified keystore file never opens", () => {
  it("the untouched file opens (control)", async () => {
    await expect(
      openEnvelope(original.toString("utf8"), passphrase, "keystore at K"),
    ).resolves.toBeInstanceOf(Buffer);
  });

  it.each([
    ["format", /not a readable keystore \(field format\)|not JSON/],
    ["version", /format version \d+|not a readable keystore|not JSON/],
    ["name", /not a readable keystore \(field kdf\.name\)|not JSON/],
    ["N", /cannot decrypt|scrypt N|not JSON|field kdf\.N/],
    ["r", /cannot decrypt|scrypt r|not JSON|field kdf\.r/],
    ["p", /cannot decrypt|scrypt p|not JSON|field kdf\.p/],
    [
      "salt",
      /cannot decrypt keystore at K: wrong passphrase or the file was modified|field kdf\.salt|not JSON/,
    ],
    [
      "nonce",
      /cannot decrypt keystore at K: wrong passphrase or the file was modified|field cipher\.nonce|not JSON/,
    ],
    [
      "tag",
      /cannot decrypt keystore at K: wrong passphrase or the file was modified|field cipher\.tag|not JSON/,
    ],
    [
      "ciphertext",
      /cannot decrypt keystore at K: wrong passphrase or the file was modified|field ciphertext|not JSON/,
    ],
    // A flip can also turn a character into a quote, backslash or control character: then it is not JSON.
  ])("any bit flipped in %s", async (key, message) => {
    const text = original.toString("utf8");
    const offsets = key === "ciphertext" ? sample(valueOffsets(text, key), 64) : valueOffsets(text, key);
    for (const offset of offsets) {
      for (let bit = 0; bit < 8; bit++) {
        expect(await refusal(flipBit(original, offset, bit).toString("utf8"))).toMatch(message);
      }
    }
  });

  it("flips in the salt, nonce, tag and ciphertext that keep canonical base64 fail authentication", async () => {
    const text = original.toString("utf8");
    for (const key of ["salt", "nonce", "tag", "ciphertext"]) {
      // Changing one base64 digit to another keeps the text canonical except in the final digit.
      const offset = valueOffsets(text, key)[2] ?? 0;
      const replaced = Buffer.from(original);
      replaced[offset] = replaced[offset] === 0x41 ? 0x42 : 0x41;
      expect(await refusal(replaced.toString("utf8"))).toBe(
        "cannot decrypt keystore at K: wrong passphrase or the file was modified",
      );
    }
  });

  it("every single-bit flip outside the ciphertext is refused", async () => {
    const text = original.toString("utf8");
    const ciphertext = new Set(valueOffsets(text, "ciphertext"));
    for (let offset = 0; offset < original.length; offset++) {
      if (ciphertext.has(offset)) continue;
      for (let bit = 0; bit < 8; bit++) await refusal(flipBit(original, offset, bit).toString("utf8"));
    }
  });

  it("a random bit flip anywhere in the file makes FileKeystore.load fail with a KeystoreError", async () => {
    const tampered = join(dir.path, "tampered.json");
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: original.length - 1 }), fc.nat({ max: 7 }), async (offset, bit) => {
        await writeFile(tampered, flipBit(original, offset, bit));
        await expect(fileKeystore(tampered).load()).rejects.toBeInstanceOf(KeystoreError);
      }),
      { numRuns: 150 },
    );
  });

  it("truncated, empty, swapped-field and foreign files are refused", async () => {
    const text = original.toString("utf8");
    const envelope = JSON.parse(text);
    const variants = [
      text.slice(0, text.length / 2),
      "",
      "null",
      "[]",
      JSON.stringify({ ...envelope, cipher: { ...envelope.cipher, tag: envelope.cipher.nonce } }),
      JSON.stringify({ ...envelope, kdf: { ...envelope.kdf, N: 2 ** 30 } }),
      JSON.stringify({ ...envelope, extra: 1 }),
      JSON.stringify({ version: 3, crypto: {} }),
    ];
    for (const variant of variants) await refusal(variant);
    expect(await refusal(JSON.stringify({ ...envelope, kdf: { ...envelope.kdf, N: 2 ** 30 } }))).toMatch(
      /scrypt N = 1073741824 must be a power of two from 2\^10 to 2\^20/,
    );
  });
});
