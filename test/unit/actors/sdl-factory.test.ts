import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SDL } from "@akashnetwork/chain-sdk";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { afterAll, describe, expect, it } from "vitest";
import { activationNonce, createSdlFactory } from "../../../src/actors/sdl-factory.js";
import { manifestOfSdl } from "../../../src/services/akash/sdl-manifest.js";
import {
  AgentKeys,
  createKeystoreContents,
  FileKeystore,
  initKeystore,
  type KeyIndices,
  type KeystoreContents,
} from "../../../src/services/keys/index.js";
import { secretString } from "../../../src/services/keys/secret.js";
import { sdlFactoryFor } from "../../support/sdl-factory-fixture.js";

const resources = { cpuUnits: 2, memoryGi: 4, storageGi: 100 };
const DSEQ = "4242";

function postgresPasswordIn(yaml: string): string | undefined {
  return /POSTGRES_PASSWORD=([^\s"]+)/.exec(yaml)?.[1];
}

function nonceIn(yaml: string): string | undefined {
  return /AGENT_ACTIVATION_NONCE=([^\s"]+)/.exec(yaml)?.[1];
}

function at(contents: KeystoreContents, keyIndices: Partial<KeyIndices>): AgentKeys {
  return AgentKeys.fromContents({ ...contents, keyIndices: { ...contents.keyIndices, ...keyIndices } });
}

describe("the SDL factory's workload secrets", () => {
  it("keep the manifest version when the encryption key rotates", async () => {
    const contents = await createKeystoreContents({ now: new Date(0), arweaveJwk: null });
    const before = sdlFactoryFor(at(contents, {})).deployable(resources, DSEQ).yamlWithSecrets();
    const after = sdlFactoryFor(at(contents, { encryption: 1 }))
      .deployable(resources, DSEQ)
      .yamlWithSecrets();
    // Compared without printing them: a failure message must not show a password.
    expect(postgresPasswordIn(before)).toBeDefined();
    expect(postgresPasswordIn(after) === postgresPasswordIn(before)).toBe(true);
    expect((await manifestOfSdl(after)).manifestVersion).toBe((await manifestOfSdl(before)).manifestVersion);
  });

  it("keep the password deployments made at encryption index 0 have (their manifest stays valid)", async () => {
    const contents = await createKeystoreContents({ now: new Date(0), arweaveJwk: null });
    const keys = at(contents, { encryption: 3 });
    // The derivation the SDL used before: from the encryption key, which was then at index 0.
    const legacy = Buffer.from(
      hkdf(
        sha256,
        keys.encryptionKey(0).reveal(),
        undefined,
        new TextEncoder().encode("akash-agent/postgres-password/v1"),
        24,
      ),
    ).toString("base64url");
    const password = postgresPasswordIn(sdlFactoryFor(keys).deployable(resources, DSEQ).yamlWithSecrets());
    expect(password === legacy).toBe(true);
  });
});

describe("the SDL factory's activation nonce", () => {
  it("is HKDF-SHA256 of the workload key for the dseq, 18 bytes in base64url, in the manifest", async () => {
    const keys = AgentKeys.fromContents(await createKeystoreContents({ now: new Date(0), arweaveJwk: null }));
    const expected = Buffer.from(
      hkdf(
        sha256,
        keys.workloadKey().reveal(),
        undefined,
        new TextEncoder().encode(`akash-agent/activation-nonce/v1:${DSEQ}`),
        18,
      ),
    ).toString("base64url");
    expect(activationNonce(keys, DSEQ)).toBe(expected);
    expect(expected).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const yaml = sdlFactoryFor(keys).deployable(resources, DSEQ).yamlWithSecrets();
    expect(nonceIn(yaml)).toBe(expected);
    const env = (
      SDL.fromString(yaml, "beta3").manifest() as unknown as { services: { env: string[] }[] }[]
    )[0]!.services[0]!.env;
    expect(env).toContain(`AGENT_ACTIVATION_NONCE=${expected}`);
    expect(env).toContain("AGENT_ROLE=deployed");
  });

  it("differs per dseq, is stable for one, and survives a key rotation (same manifest after a restart)", async () => {
    const contents = await createKeystoreContents({ now: new Date(0), arweaveJwk: null });
    const keys = at(contents, {});
    const nonces = ["1", "2", "4242", "4243", "99999999"].map((dseq) => activationNonce(keys, dseq));
    expect(new Set(nonces).size).toBe(nonces.length);
    expect(activationNonce(keys, DSEQ)).toBe(activationNonce(at(contents, {}), DSEQ));
    expect(activationNonce(at(contents, { akash: 1, nostr: 1, encryption: 2 }), DSEQ)).toBe(
      activationNonce(keys, DSEQ),
    );
    const other = AgentKeys.fromContents(
      await createKeystoreContents({ now: new Date(0), arweaveJwk: null }),
    );
    expect(activationNonce(other, DSEQ)).not.toBe(activationNonce(keys, DSEQ));

    const factory = sdlFactoryFor(keys);
    const first = await manifestOfSdl(factory.deployable(resources, DSEQ).yamlWithSecrets());
    const again = await manifestOfSdl(
      sdlFactoryFor(at(contents, {})).deployable(resources, DSEQ).yamlWithSecrets(),
    );
    const next = await manifestOfSdl(factory.deployable(resources, "4243").yamlWithSecrets());
    expect(again.manifestVersion).toBe(first.manifestVersion);
    expect(next.manifestVersion).not.toBe(first.manifestVersion);
  });

  it.each(["", "0", "-1", "12a", "1e3", " 42"])("refuses dseq %j with the field named", async (dseq) => {
    const keys = AgentKeys.fromContents(await createKeystoreContents({ now: new Date(0), arweaveJwk: null }));
    expect(() => activationNonce(keys, dseq)).toThrow(/dseq must be a deployment sequence in decimal digits/);
  });
});

describe("no SDL from the factory holds a key of the agent", () => {
  const dir = mkdtempSync(join(tmpdir(), "sdl-factory-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("neither mnemonic, nor any private key, nor the keystore's passphrase, in any profile, for any dseq", async () => {
    const passphrase = "correct-horse-battery-staple-sdl";
    const keystore = new FileKeystore({
      path: join(dir, "keystore.json"),
      passphrase: secretString(passphrase),
      scrypt: { N: 2 ** 10, r: 8, p: 1 },
    });
    await initKeystore(keystore, { now: new Date(0), arweaveJwk: null });
    const keys = AgentKeys.fromContents(await keystore.load());
    const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
    const mnemonic = keys.mnemonic().reveal();
    const secrets: Record<string, string> = {
      mnemonic,
      "first words of the mnemonic": mnemonic.split(" ").slice(0, 3).join(" "),
      "keystore passphrase": passphrase,
      "Akash private key": hex(keys.akashKey().privateKey.reveal()),
      "Akash private key (base64)": b64(keys.akashKey().privateKey.reveal()),
      "EVM private key": keys.evmKey().privateKey.reveal().slice(2),
      "Nostr private key": hex(keys.nostrKey().privateKey.reveal()),
      nsec: keys.nostrKey().nsec.reveal(),
      "encryption key": hex(keys.encryptionKey().reveal()),
      "workload key": hex(keys.workloadKey().reveal()),
      "workload key (base64url)": Buffer.from(keys.workloadKey().reveal()).toString("base64url"),
    };
    // A control: the search finds what the SDL does carry.
    let checked = 0;
    for (const profile of ["relay", "nostream"] as const) {
      const factory = createSdlFactory({
        keys,
        identity: {
          agentId: keys.identity.agentId,
          akashAddress: keys.identity.akash,
          nostrPubkey: keys.identity.nostrPubkey,
          relayName: "relay",
          relayDomain: "relay.example.com",
          network: "devnet",
          chainId: "akash-devnet-1",
          role: "root",
        },
        image: "ghcr.io/akash-agent/agent-relay:0.1.0",
        budget: { targetUsdPerDay: 5, actUsd: 1 },
        profile,
        devnetUrl: "http://127.0.0.1:26680",
      });
      for (const dseq of ["1", "4242", "18446744073709551615"]) {
        const deployable = factory.deployable(resources, dseq);
        const yaml = deployable.yamlWithSecrets();
        const manifest = await manifestOfSdl(yaml);
        expect(yaml).toContain(keys.identity.akash);
        expect(yaml).toContain("AGENT_DEVNET_URL=http://127.0.0.1:26680");
        expect(yaml).not.toMatch(/AGENT_(MNEMONIC|KEYSTORE_BACKEND|PASSPHRASE|ARWEAVE_JWK)=/);
        for (const text of [
          yaml,
          manifest.manifestJson,
          deployable.redactedYaml,
          String(factory.template(resources, dseq)),
        ]) {
          for (const [what, secret] of Object.entries(secrets)) {
            expect(text.includes(secret), `${what} in the ${profile} SDL for dseq ${dseq}`).toBe(false);
            checked += 1;
          }
        }
      }
    }
    expect(checked).toBe(2 * 3 * 4 * Object.keys(secrets).length);
  });
});
