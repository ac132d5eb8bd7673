import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { describe, expect, it } from "vitest";
import { manifestOfSdl } from "../../../src/services/akash/sdl-manifest.js";
import {
  AgentKeys,
  createKeystoreContents,
  type KeyIndices,
  type KeystoreContents,
} from "../../../src/services/keys/index.js";
import { sdlFactoryFor } from "../../support/sdl-factory-fixture.js";

const resources = { cpuUnits: 2, memoryGi: 4, storageGi: 100 };

function postgresPasswordIn(yaml: string): string | undefined {
  return /POSTGRES_PASSWORD=([^\s"]+)/.exec(yaml)?.[1];
}

function at(contents: KeystoreContents, keyIndices: Partial<KeyIndices>): AgentKeys {
  return AgentKeys.fromContents({ ...contents, keyIndices: { ...contents.keyIndices, ...keyIndices } });
}

describe("the SDL factory's workload secrets", () => {
  it("keep the manifest version when the encryption key rotates", async () => {
    const contents = await createKeystoreContents({ now: new Date(0), arweaveJwk: null });
    const before = sdlFactoryFor(at(contents, {})).deployable(resources).yamlWithSecrets();
    const after = sdlFactoryFor(at(contents, { encryption: 1 }))
      .deployable(resources)
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
    const password = postgresPasswordIn(sdlFactoryFor(keys).deployable(resources).yamlWithSecrets());
    expect(password === legacy).toBe(true);
  });
});
