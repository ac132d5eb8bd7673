import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AgentKeys,
  advanceKeyIndex,
  createKeystoreContents,
  DEFAULT_SCRYPT_PARAMS,
  EnvKeystore,
  FileKeystore,
  InvalidKeyInputError,
  InvalidMnemonicError,
  initKeystore,
  type KeystoreContents,
  KeystoreError,
  KeystoreExistsError,
  KeystoreNotFoundError,
  lastRotatedAt,
  passphraseFromEnv,
  rotateKeyIndex,
  Secret,
  updateKeyIndices,
} from "../../../src/services/keys/index.js";
import { encodeKeystorePlaintext } from "../../../src/services/keys/keystore-codec.js";
import { sealEnvelope } from "../../../src/services/keys/scrypt-envelope.js";
import {
  fileKeystore,
  makeTempDir,
  TEST_PASSPHRASE_TEXT,
  TEST_SCRYPT,
  type TempDir,
  testPassphrase,
} from "./support/keystore-fixtures.js";
import { findLeaks, type Output, printedForms, type SecretText, wordRuns } from "./support/leak-scan.js";

const now = new Date("2026-03-04T05:06:07.000Z");
let dir: TempDir;
// One RSA-4096 Arweave key for the whole file (generation is slow).
let contents: KeystoreContents;

beforeAll(async () => {
  dir = await makeTempDir();
  contents = await createKeystoreContents({ now });
});
afterAll(() => dir.remove());

async function thrown(action: () => Promise<unknown>): Promise<Error> {
  try {
    await action();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error("expected the action to fail");
}

function sameKeys(a: KeystoreContents, b: KeystoreContents): void {
  expect(b.mnemonic.reveal()).toBe(a.mnemonic.reveal());
  expect(b.arweaveJwk?.reveal()).toEqual(a.arweaveJwk?.reveal());
  expect(b.keyIndices).toEqual(a.keyIndices);
  expect(b.createdAt).toBe(a.createdAt);
  expect(b.rotatedAt).toEqual(a.rotatedAt);
  expect(b.version).toBe(2);
}

describe("encrypted file keystore", () => {
  it("round-trips the contents and gives the same identity", async () => {
    const keystore = fileKeystore(join(dir.path, "roundtrip", "keystore.json"));
    await keystore.save(contents);
    const loaded = await keystore.load();
    sameKeys(contents, loaded);
    expect(AgentKeys.fromContents(loaded).identity).toEqual(AgentKeys.fromContents(contents).identity);
  });

  it("creates the directory, writes mode 0600 and leaves no temporary file", async () => {
    const path = join(dir.path, "fresh", "nested", "keystore.json");
    await fileKeystore(path).save(contents);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir.path, "fresh", "nested"))).mode & 0o077).toBe(0);
    expect(await readdir(join(dir.path, "fresh", "nested"))).toEqual(["keystore.json"]);
  });

  it("writes a versioned envelope with its kdf parameters and a fresh salt and nonce per save", async () => {
    const path = join(dir.path, "envelope.json");
    const keystore = fileKeystore(path);
    await keystore.save(contents);
    const first = JSON.parse(await readFile(path, "utf8"));
    await keystore.save(contents);
    const second = JSON.parse(await readFile(path, "utf8"));
    expect(first).toMatchObject({
      format: "akash-agent-keystore",
      version: 1,
      kdf: { name: "scrypt", N: TEST_SCRYPT.N, r: 8, p: 1 },
      cipher: { name: "aes-256-gcm" },
    });
    expect(Buffer.from(first.kdf.salt, "base64")).toHaveLength(32);
    expect(Buffer.from(first.cipher.nonce, "base64")).toHaveLength(12);
    expect(Buffer.from(first.cipher.tag, "base64")).toHaveLength(16);
    expect(second.kdf.salt).not.toBe(first.kdf.salt);
    expect(second.cipher.nonce).not.toBe(first.cipher.nonce);
    expect(second.ciphertext).not.toBe(first.ciphertext);
  });

  it("saves with N = 2^17, r = 8, p = 1 unless told otherwise", async () => {
    const path = join(dir.path, "default-cost.json");
    await new FileKeystore({ path, passphrase: testPassphrase() }).save(contents);
    expect(JSON.parse(await readFile(path, "utf8")).kdf).toMatchObject({ N: 2 ** 17, r: 8, p: 1 });
    expect(DEFAULT_SCRYPT_PARAMS).toEqual({ N: 2 ** 17, r: 8, p: 1 });
  });

  it("a wrong passphrase is a one-line KeystoreError naming the file", async () => {
    const path = join(dir.path, "wrong-pass.json");
    await fileKeystore(path).save(contents);
    const error = await thrown(() => fileKeystore(path, testPassphrase("not the passphrase")).load());
    expect(error).toBeInstanceOf(KeystoreError);
    expect(error.message).toBe(
      `cannot decrypt keystore at ${path}: wrong passphrase or the file was modified`,
    );
    expect((error as KeystoreError).exitCode).toBe(1);
  });

  it("treats the passphrase's Unicode composition alike (NFKC)", async () => {
    const path = join(dir.path, "nfkc.json");
    await fileKeystore(path, testPassphrase("caf\u00e9 passphrase")).save(contents);
    sameKeys(contents, await fileKeystore(path, testPassphrase("cafe\u0301 passphrase")).load());
  });

  it("a missing file is a usage error naming the path and `akash-agent init`", async () => {
    const path = join(dir.path, "absent", "keystore.json");
    const keystore = fileKeystore(path);
    expect(await keystore.exists()).toBe(false);
    const error = await thrown(() => keystore.load());
    expect(error).toBeInstanceOf(KeystoreNotFoundError);
    expect(error.message).toBe(`no keystore at ${path}: create one with \`akash-agent init\``);
    expect((error as KeystoreNotFoundError).exitCode).toBe(2);
  });

  it("a path that is a directory is a KeystoreError, not a crash", async () => {
    const keystore = fileKeystore(dir.path);
    expect(await keystore.exists()).toBe(false);
    expect(await thrown(() => keystore.load())).toBeInstanceOf(KeystoreError);
    expect(await thrown(() => keystore.save(contents))).toBeInstanceOf(KeystoreError);
  });

  it("an empty passphrase is refused before anything is read", () => {
    expect(() => fileKeystore(join(dir.path, "x.json"), new Secret("  "))).toThrow(InvalidKeyInputError);
    expect(() => passphraseFromEnv({ AGENT_PASSPHRASE: "" })).toThrow(/AGENT_PASSPHRASE is empty/);
    expect(() => passphraseFromEnv({})).toThrow(/AGENT_PASSPHRASE is not set/);
    expect(passphraseFromEnv({ AGENT_PASSPHRASE: "pass word" }).reveal()).toBe("pass word");
  });

  it("refuses scrypt costs outside the bounds", () => {
    expect(
      () =>
        new FileKeystore({ path: "k.json", passphrase: testPassphrase(), scrypt: { N: 1000, r: 8, p: 1 } }),
    ).toThrow(/power of two/);
    expect(
      () =>
        new FileKeystore({
          path: "k.json",
          passphrase: testPassphrase(),
          scrypt: { N: 2 ** 20, r: 16, p: 1 },
        }),
    ).toThrow(/1 GiB/);
  });

  it("names unknown versions of the file format and of the contents", async () => {
    const formatPath = join(dir.path, "future-format.json");
    await fileKeystore(formatPath).save(contents);
    const envelope = JSON.parse(await readFile(formatPath, "utf8"));
    await writeFile(formatPath, JSON.stringify({ ...envelope, version: 2 }));
    const formatError = await thrown(() => fileKeystore(formatPath).load());
    expect(formatError).toBeInstanceOf(KeystoreError);
    expect(formatError.message).toBe(
      `keystore at ${formatPath} is keystore format version 2; this agent reads version 1: run the agent build that wrote it`,
    );

    const contentsPath = join(dir.path, "future-contents.json");
    const plaintext = JSON.parse(encodeKeystorePlaintext(contents).toString("utf8"));
    const future = Buffer.from(JSON.stringify({ ...plaintext, version: 3, newField: true }));
    await writeFile(contentsPath, await sealEnvelope(future, testPassphrase(), TEST_SCRYPT));
    const contentsError = await thrown(() => fileKeystore(contentsPath).load());
    expect(contentsError).toBeInstanceOf(KeystoreError);
    expect(contentsError.message).toMatch(/holds contents version 3; this agent reads version 2 and older/);
  });

  it("contents that decrypt but are invalid are a KeystoreError naming the field", async () => {
    const path = join(dir.path, "bad-contents.json");
    const plaintext = JSON.parse(encodeKeystorePlaintext(contents).toString("utf8"));
    const cases: [unknown, RegExp][] = [
      [{ ...plaintext, mnemonic: `${"abandon ".repeat(23)}zoo` }, /holds an invalid mnemonic/],
      [{ ...plaintext, keyIndices: { ...plaintext.keyIndices, akash: -1 } }, /field keyIndices\.akash/],
      [
        { ...plaintext, arweaveJwk: { ...plaintext.arweaveJwk, p: plaintext.arweaveJwk.q } },
        /invalid Arweave key/,
      ],
      ["just a string", /field contents/],
    ];
    for (const [body, message] of cases) {
      await writeFile(
        path,
        await sealEnvelope(Buffer.from(JSON.stringify(body)), testPassphrase(), TEST_SCRYPT),
      );
      const error = await thrown(() => fileKeystore(path).load());
      expect(error).toBeInstanceOf(KeystoreError);
      expect(error.message).toMatch(message);
    }
  });
});

describe("init and key index updates", () => {
  it("init creates the keystore and refuses to replace it", async () => {
    const path = join(dir.path, "init", "keystore.json");
    const keystore = fileKeystore(path);
    const created = await initKeystore(keystore, { now, arweaveJwk: contents.arweaveJwk });
    expect(created.keyIndices).toEqual({ akash: 0, evm: 0, nostr: 0, encryption: 0 });
    expect(created.createdAt).toBe(now.toISOString());
    const before = await readFile(path);
    const error = await thrown(() => initKeystore(keystore, { now }));
    expect(error).toBeInstanceOf(KeystoreExistsError);
    expect(error.message).toContain(`encrypted file ${path}`);
    expect(await readFile(path)).toEqual(before);
  });

  it("advances one index and persists it, keeping the rest", async () => {
    const keystore = fileKeystore(join(dir.path, "advance.json"));
    await keystore.save(contents);
    const updated = await advanceKeyIndex(keystore, "akash");
    expect(updated.keyIndices).toEqual({ akash: 1, evm: 0, nostr: 0, encryption: 0 });
    const loaded = await keystore.load();
    expect(loaded.keyIndices).toEqual(updated.keyIndices);
    expect(loaded.mnemonic.reveal()).toBe(contents.mnemonic.reveal());
  });

  it("records when a key was rotated in the same save as its index, and repeating the rotation changes nothing", async () => {
    const path = join(dir.path, "rotated-at.json");
    const keystore = fileKeystore(path);
    await keystore.save(contents);
    const at = new Date("2026-05-06T07:08:09.000Z");
    const rotated = await rotateKeyIndex(keystore, "evm", 1, at);
    expect(rotated.keyIndices).toEqual({ akash: 0, evm: 1, nostr: 0, encryption: 0 });
    const loaded = await fileKeystore(path).load();
    expect(loaded.rotatedAt).toEqual({ evm: at.toISOString() });
    expect(lastRotatedAt(loaded, "evm")).toBe(at.getTime());
    expect(lastRotatedAt(loaded, "akash")).toBe(now.getTime());
    const before = await readFile(path);
    const again = await rotateKeyIndex(keystore, "evm", 1, new Date(at.getTime() + 60_000));
    expect(again.rotatedAt).toEqual({ evm: at.toISOString() });
    expect(await readFile(path)).toEqual(before);
  });

  it("reads contents version 1, which recorded no rotation times (every key counts from createdAt)", async () => {
    const path = join(dir.path, "version-1.json");
    const { rotatedAt: _none, ...plaintext } = JSON.parse(encodeKeystorePlaintext(contents).toString("utf8"));
    const v1 = Buffer.from(
      JSON.stringify({ ...plaintext, version: 1, keyIndices: { ...plaintext.keyIndices, evm: 2 } }),
    );
    await writeFile(path, await sealEnvelope(v1, testPassphrase(), TEST_SCRYPT));
    const loaded = await fileKeystore(path).load();
    expect(loaded.keyIndices.evm).toBe(2);
    expect(loaded.rotatedAt).toEqual({});
    expect(lastRotatedAt(loaded, "evm")).toBe(now.getTime());
    // The next save writes the current version.
    await fileKeystore(path).save(loaded);
    expect((await fileKeystore(path).load()).version).toBe(2);
  });

  it("serialises concurrent updates on one backend so none is lost", async () => {
    const keystore = fileKeystore(join(dir.path, "concurrent.json"));
    await keystore.save(contents);
    await Promise.all([
      advanceKeyIndex(keystore, "akash"),
      advanceKeyIndex(keystore, "evm"),
      advanceKeyIndex(keystore, "akash"),
      advanceKeyIndex(keystore, "nostr"),
      advanceKeyIndex(keystore, "encryption"),
      advanceKeyIndex(keystore, "akash"),
    ]);
    expect((await keystore.load()).keyIndices).toEqual({ akash: 3, evm: 1, nostr: 1, encryption: 1 });
  });

  it("refuses to move an index back or out of range, leaving the file unchanged", async () => {
    const path = join(dir.path, "backwards.json");
    const keystore = fileKeystore(path);
    await keystore.save({ ...contents, keyIndices: { akash: 2, evm: 0, nostr: 0, encryption: 0 } });
    const before = await readFile(path);
    const back = await thrown(() => updateKeyIndices(keystore, (current) => ({ ...current, akash: 1 })));
    expect(back).toBeInstanceOf(KeystoreError);
    expect(back.message).toMatch(/key index akash cannot move back from 2 to 1/);
    const range = await thrown(() => updateKeyIndices(keystore, (current) => ({ ...current, evm: 2 ** 31 })));
    expect(range.message).toMatch(/key index evm = 2147483648 is not an integer/);
    expect(await readFile(path)).toEqual(before);
    // A failed update does not block the next one.
    expect((await advanceKeyIndex(keystore, "akash")).keyIndices.akash).toBe(3);
  });
});

describe("environment keystore", () => {
  function envFor(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      AGENT_MNEMONIC: `  ${contents.mnemonic.reveal().toUpperCase()}\n`,
      AGENT_ARWEAVE_JWK: JSON.stringify(contents.arweaveJwk?.reveal()),
      ...overrides,
    };
  }

  it("reads the mnemonic, Arweave key and indices, giving the file keystore's identity", async () => {
    const keystore = new EnvKeystore({
      env: envFor({ AGENT_KEY_INDICES: '{"akash":2,"nostr":1}' }),
      now: () => now,
    });
    expect(await keystore.exists()).toBe(true);
    expect(keystore.describe()).toBe("environment (AGENT_MNEMONIC)");
    const loaded = await keystore.load();
    expect(loaded.mnemonic.reveal()).toBe(contents.mnemonic.reveal());
    expect(loaded.arweaveJwk?.reveal()).toEqual(contents.arweaveJwk?.reveal());
    expect(loaded.keyIndices).toEqual({ akash: 2, evm: 0, nostr: 1, encryption: 0 });
    expect(loaded.createdAt).toBe(now.toISOString());
    const fromFile = AgentKeys.fromContents({ ...contents, keyIndices: loaded.keyIndices }).identity;
    expect(AgentKeys.fromContents(loaded).identity).toEqual(fromFile);
  });

  it("works without an Arweave key and with default indices", async () => {
    const loaded = await new EnvKeystore({ env: envFor({ AGENT_ARWEAVE_JWK: undefined }) }).load();
    expect(loaded.arweaveJwk).toBeNull();
    expect(loaded.keyIndices).toEqual({ akash: 0, evm: 0, nostr: 0, encryption: 0 });
  });

  it("explains each bad variable without quoting secrets", async () => {
    const jwkText = JSON.stringify(contents.arweaveJwk?.reveal());
    const cases: [NodeJS.ProcessEnv, new (...args: never[]) => Error, RegExp][] = [
      [{ AGENT_MNEMONIC: undefined }, InvalidKeyInputError, /AGENT_MNEMONIC is not set/],
      [{ AGENT_MNEMONIC: "one two three" }, InvalidMnemonicError, /AGENT_MNEMONIC has 3 words/],
      [{ AGENT_ARWEAVE_JWK: jwkText.slice(0, -5) }, InvalidKeyInputError, /AGENT_ARWEAVE_JWK is not JSON/],
      [
        { AGENT_ARWEAVE_JWK: '{"kty":"RSA"}' },
        InvalidKeyInputError,
        /AGENT_ARWEAVE_JWK is not an Arweave wallet/,
      ],
      [{ AGENT_KEY_INDICES: '{"akash":-1}' }, InvalidKeyInputError, /AGENT_KEY_INDICES is not valid/],
      [{ AGENT_KEY_INDICES: '{"solana":1}' }, InvalidKeyInputError, /AGENT_KEY_INDICES is not valid/],
      [{ AGENT_KEY_INDICES: "3" }, InvalidKeyInputError, /AGENT_KEY_INDICES is not valid/],
    ];
    for (const [overrides, type, message] of cases) {
      const error = await thrown(() => new EnvKeystore({ env: envFor(overrides) }).load());
      expect(error).toBeInstanceOf(type);
      expect(error.message).toMatch(message);
      expect((error as InvalidKeyInputError).exitCode).toBe(2);
      expect(error.message).not.toContain(contents.arweaveJwk?.reveal().d.slice(0, 40));
    }
    expect(await new EnvKeystore({ env: {} }).exists()).toBe(false);
  });

  it("cannot persist rotation and says how to carry the new indices", async () => {
    const keystore = new EnvKeystore({ env: envFor() });
    const error = await thrown(() => advanceKeyIndex(keystore, "evm"));
    expect(error).toBeInstanceOf(KeystoreError);
    expect(error.message).toBe(
      "the environment keystore is read-only and cannot persist key rotation: set " +
        `AGENT_KEY_INDICES='{"akash":0,"evm":1,"nostr":0,"encryption":0}' before the next start, ` +
        "or move to the file keystore (akash-agent init)",
    );
  });
});

describe("secrets never leak", () => {
  it("no error, returned object, printed form or keystore file holds a secret", async () => {
    const outputs: Output[] = [];
    const record = (where: string, value: unknown) => outputs.push(...printedForms(where, value));
    const fail = async (where: string, action: () => Promise<unknown>) => {
      const error = await thrown(action);
      record(where, error);
      outputs.push({ where: `${where} message`, text: error.message });
    };
    const leakDir = join(dir.path, "leak");
    const path = join(leakDir, "keystore.json");
    const keystore = fileKeystore(path);
    const readKeystoreFile = async (when: string) => {
      outputs.push({ where: `keystore file ${when}`, text: await readFile(path, "latin1") });
      outputs.push({ where: `directory ${when}`, text: (await readdir(leakDir)).join("\n") });
    };

    // Everything that succeeds.
    await keystore.save(contents);
    await readKeystoreFile("after save");
    const loaded = await keystore.load();
    const keys = AgentKeys.fromContents(loaded);
    const returned: Record<string, unknown> = {
      contents,
      loaded,
      keys,
      identity: keys.identity,
      akashKey: keys.akashKey(),
      previousAkashKey: keys.akashKey(1),
      evmKey: keys.evmKey(),
      nostrKey: keys.nostrKey(),
      encryptionKey: keys.encryptionKey(),
      arweaveJwk: keys.arweaveJwk(),
      wallets: await keys.akashWallets(),
      advanced: await advanceKeyIndex(keystore, "akash"),
      fileBackend: keystore,
      describe: keystore.describe(),
      envBackend: new EnvKeystore({ env: { AGENT_MNEMONIC: contents.mnemonic.reveal() } }),
      envLoaded: await new EnvKeystore({ env: { AGENT_MNEMONIC: contents.mnemonic.reveal() } }).load(),
      passphrase: testPassphrase(),
    };
    await readKeystoreFile("after rotation");
    for (const [where, value] of Object.entries(returned)) record(where, value);

    // Everything that fails, fed with real secrets wherever an input can carry one.
    const words = contents.mnemonic.reveal().split(" ");
    const jwk = contents.arweaveJwk?.reveal();
    if (!jwk) throw new Error("the fixture has an Arweave key");
    const jwkText = JSON.stringify(jwk);
    const envWith = (env: NodeJS.ProcessEnv) => new EnvKeystore({ env }).load();
    await fail("wrong passphrase", () => fileKeystore(path, testPassphrase("not the passphrase")).load());
    await fail("missing file", () => fileKeystore(join(leakDir, "absent.json")).load());
    await fail("directory as keystore", () => fileKeystore(leakDir).load());
    await fail("init over existing", () => initKeystore(keystore, { now, arweaveJwk: null }));
    await fail("index backwards", () => updateKeyIndices(keystore, (current) => ({ ...current, akash: 0 })));
    await fail("bad checksum", () =>
      envWith({ AGENT_MNEMONIC: [...words.slice(0, 23), words[0]].join(" ") }),
    );
    await fail("unknown word", () => envWith({ AGENT_MNEMONIC: [...words.slice(0, 23), "qqqq"].join(" ") }));
    // 11 words: no wallet writes that count (the first 12 of 24 words can pass as a 12-word mnemonic).
    await fail("short mnemonic", () => envWith({ AGENT_MNEMONIC: words.slice(0, 11).join(" ") }));
    await fail("truncated jwk", () =>
      envWith({ AGENT_MNEMONIC: words.join(" "), AGENT_ARWEAVE_JWK: jwkText.slice(0, -3) }),
    );
    await fail("mismatched jwk", () =>
      envWith({ AGENT_MNEMONIC: words.join(" "), AGENT_ARWEAVE_JWK: JSON.stringify({ ...jwk, p: jwk.q }) }),
    );
    await fail("env save", () =>
      advanceKeyIndex(new EnvKeystore({ env: { AGENT_MNEMONIC: words.join(" ") } }), "evm"),
    );
    await fail("empty passphrase", async () => passphraseFromEnv({ AGENT_PASSPHRASE: " " }));
    await fail("no arweave key", async () =>
      AgentKeys.fromContents({ ...contents, arweaveJwk: null }).arweaveJwk(),
    );
    const plaintext = JSON.parse(encodeKeystorePlaintext(contents).toString("utf8"));
    const badContents = join(leakDir, "bad-contents.json");
    await writeFile(
      badContents,
      await sealEnvelope(
        Buffer.from(JSON.stringify({ ...plaintext, createdAt: 5 })),
        testPassphrase(),
        TEST_SCRYPT,
      ),
    );
    await fail("invalid decrypted contents", () => fileKeystore(badContents).load());
    const tampered = join(leakDir, "tampered.json");
    const envelope = JSON.parse(await readFile(path, "utf8"));
    const flipped = Buffer.from(envelope.ciphertext, "base64");
    flipped[10] = (flipped[10] ?? 0) ^ 1;
    await writeFile(tampered, JSON.stringify({ ...envelope, ciphertext: flipped.toString("base64") }));
    await fail("tampered file", () => fileKeystore(tampered).load());

    const seedKeys = [keys.akashKey(0), keys.akashKey(1), keys.akashKey(2)];
    const hexKeys = [
      ...seedKeys.map((key) => Buffer.from(key.privateKey.reveal()).toString("hex")),
      keys.evmKey().privateKey.reveal().slice(2),
      Buffer.from(keys.nostrKey().privateKey.reveal()).toString("hex"),
      Buffer.from(keys.encryptionKey().reveal()).toString("hex"),
    ];
    const secrets: SecretText[] = [
      { name: "the mnemonic", value: contents.mnemonic.reveal() },
      ...wordRuns(contents.mnemonic.reveal(), 3).map((run, i) => ({
        name: `mnemonic words ${i + 1}-${i + 3}`,
        value: run,
      })),
      ...hexKeys.map((hex, i) => ({ name: `private key ${i} (hex)`, value: hex })),
      ...hexKeys.map((hex, i) => ({
        name: `private key ${i} (base64)`,
        value: Buffer.from(hex, "hex").toString("base64"),
      })),
      { name: "the nsec", value: keys.nostrKey().nsec.reveal() },
      ...(["d", "p", "q", "dp", "dq", "qi"] as const).map((part) => ({
        name: `arweave ${part}`,
        value: jwk[part],
      })),
      { name: "the passphrase", value: TEST_PASSPHRASE_TEXT },
      { name: "the wrong passphrase", value: "not the passphrase" },
    ];
    expect(outputs.length).toBeGreaterThan(80);
    expect(findLeaks(outputs, secrets)).toEqual([]);

    // The scan itself finds a leak when there is one.
    const control = [{ where: "control", text: `oops ${words.slice(5, 8).join(" ")} and ${jwk.d}` }];
    expect(findLeaks(control, secrets)).toEqual([
      "control contains mnemonic words 6-8",
      "control contains arweave d",
    ]);
  });
});
