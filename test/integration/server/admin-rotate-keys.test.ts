import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { callAdmin } from "../../../src/server/admin-client.js";
import { createKeystoreContents, FileKeystore } from "../../../src/services/keys/index.js";
import { startTestAgentProcess, type TestAgentProcess } from "../../support/agent-process-harness.js";
import { startTestDevnet, waitFor } from "../../support/devnet.js";
import { tolerateIdleGoaway } from "../../support/idle-goaway.js";
import { TEST_SCRYPT, testPassphrase } from "../../unit/keys/support/keystore-fixtures.js";

/**
 * `POST /api/admin/rotate-keys` on an agent whose keystore keeps rotated indices (a keystore file):
 * the rotation happens, and the keystore's index moves on.
 */
describe("admin rotate-keys on a running agent", { timeout: 90_000 }, () => {
  let devnet: DevnetHandle;
  let agent: TestAgentProcess;
  let keystore: FileKeystore;
  const dataDir = mkdtempSync(join(tmpdir(), "admin-rotate-"));

  beforeAll(async () => {
    tolerateIdleGoaway();
    devnet = await startTestDevnet({ blockTimeMs: 100 });
    keystore = new FileKeystore({
      path: join(dataDir, "keystore.json"),
      passphrase: testPassphrase(),
      scrypt: TEST_SCRYPT,
    });
    await keystore.save(await createKeystoreContents({ now: new Date() }));
    agent = await startTestAgentProcess(devnet, {
      dataDir,
      keystore,
      settings: { "keyRotation.enabled": true, "keyRotation.graceHours": 0.0005 },
    });
    await agent.until("active");
  });
  afterAll(async () => {
    await agent?.close();
    await devnet?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("rotates the encryption key when the agent's own key asks, and the keystore keeps the new index", async () => {
    const before = (await keystore.load()).keyIndices.encryption;
    const answer = await callAdmin({
      url: agent.url,
      action: "rotate-keys",
      body: { key: "encryption" },
      privateKey: agent.keys.nostrKey().privateKey,
    });
    expect(answer).toEqual({ status: 200, json: { ok: true, action: "rotate-keys", key: "encryption" } });
    const after = await waitFor(async () => {
      const index = (await keystore.load()).keyIndices.encryption;
      return index > before ? index : undefined;
    }, 30_000);
    expect(after).toBe(before + 1);
  });
});
