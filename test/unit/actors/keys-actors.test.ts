import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createActor, toPromise } from "xstate";
import { createAgentActors } from "../../../src/actors/agent-actors.js";
import type { AgentServices } from "../../../src/actors/agent-services.js";
import { noAlertChannels } from "../../../src/actors/alert-channels.js";
import { createKeyRotationActors } from "../../../src/actors/keys-actors.js";
import { createLogger } from "../../../src/logging/index.js";
import type { KeyName } from "../../../src/machines/index.js";
import {
  AgentKeys,
  createKeystoreContents,
  EnvKeystore,
  type KeystoreBackend,
} from "../../../src/services/keys/index.js";
import { fileKeystore, makeTempDir, type TempDir } from "../keys/support/keystore-fixtures.js";

const MNEMONIC = `${"abandon ".repeat(23)}art`;
const NOW = Date.UTC(2026, 6, 1);

const silent = createLogger({
  level: "silent",
  destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
});

const noChannels = noAlertChannels;

async function servicesOver(keystore: KeystoreBackend): Promise<AgentServices> {
  const partial: Partial<AgentServices> = {
    keystore,
    keys: AgentKeys.fromContents(await keystore.load()),
    logger: silent,
    now: () => NOW,
    store: { children: { list: () => [], nextIndex: () => 0 } } as unknown as AgentServices["store"],
  };
  return partial as AgentServices;
}

async function step(
  services: AgentServices,
  name: "prepareNextKey" | "activateNextKey",
  key: KeyName,
  toIndex = 1,
): Promise<unknown> {
  const actor = createActor(createKeyRotationActors(services)[name], {
    input: { key: `test:${key}:${toIndex}`, name: key, fromIndex: toIndex - 1, toIndex },
  });
  actor.start();
  return toPromise(actor);
}

describe("key rotation actors", () => {
  let dir: TempDir;
  beforeAll(async () => {
    dir = await makeTempDir();
  });
  afterAll(() => dir.remove());

  it("refuse to begin a rotation the environment keystore could not save, before anything changed", async () => {
    const services = await servicesOver(new EnvKeystore({ env: { AGENT_MNEMONIC: MNEMONIC } }));
    await expect(step(services, "prepareNextKey", "payment")).rejects.toThrow(
      "the payment key stays: the keystore (environment (AGENT_MNEMONIC)) cannot save a rotated key index; use a keystore file (akash-agent init)",
    );
  });

  it("refuse the Akash and identity keys, saying why", async () => {
    const keystore = fileKeystore(`${dir.path}/refuse.json`);
    await keystore.save(await createKeystoreContents({ now: new Date(NOW), arweaveJwk: null }));
    const services = await servicesOver(keystore);
    await expect(step(services, "prepareNextKey", "akash")).rejects.toThrow(
      /^the akash key stays: .*self-migration/,
    );
    await expect(step(services, "prepareNextKey", "identity")).rejects.toThrow(
      /^the identity key stays: .*AGENT_NOSTR_PUBKEY.*manifest update/,
    );
    await expect(step(services, "prepareNextKey", "payment")).resolves.toEqual({ at: NOW });
    // A rotation of the identity key restored mid-way from an older build is refused at activation.
    await expect(step(services, "activateNextKey", "identity")).rejects.toThrow(/^the identity key stays: /);
    await expect(step(services, "activateNextKey", "akash")).rejects.toThrow(/^the akash key stays: /);
    expect((await keystore.load()).keyIndices).toEqual({ akash: 0, evm: 0, nostr: 0, encryption: 0 });
  });

  it("switch the running process to the rotated key once it is primary, with no restart", async () => {
    const keystore = fileKeystore(`${dir.path}/reload.json`);
    const contents = await createKeystoreContents({ now: new Date(NOW), arweaveJwk: null });
    await keystore.save(contents);
    const services = await servicesOver(keystore);
    // Built before the rotation, as the runtime builds them at start.
    const agentActors = createAgentActors(services, noChannels);
    const reference = AgentKeys.fromContents({
      ...contents,
      keyIndices: { ...contents.keyIndices, evm: 1, encryption: 1 },
    });
    expect(services.keys.identity.evm).not.toBe(reference.identity.evm);

    await step(services, "activateNextKey", "payment");
    await step(services, "activateNextKey", "encryption");
    expect(services.keys.identity.keyIndices).toEqual({ akash: 0, evm: 1, nostr: 0, encryption: 1 });
    expect(services.keys.identity.evm).toBe(reference.identity.evm);
    // Compared without printing them: a failure message must not show a key.
    const same = (a: Uint8Array | string, b: Uint8Array | string) => Buffer.from(a).equals(Buffer.from(b));
    expect(same(services.keys.evmKey().privateKey.reveal(), reference.evmKey().privateKey.reveal())).toBe(
      true,
    );
    expect(same(services.keys.encryptionKey().reveal(), reference.encryptionKey().reveal())).toBe(true);
    // Keys that do not rotate stay as they were.
    expect(services.keys.identity.akash).toBe(reference.identity.akash);
    expect(same(services.keys.workloadKey().reveal(), reference.workloadKey().reveal())).toBe(true);

    const load = createActor(agentActors.loadIdentity);
    load.start();
    expect((await toPromise(load)).identity.evm).toBe(reference.identity.evm);
  });
});
