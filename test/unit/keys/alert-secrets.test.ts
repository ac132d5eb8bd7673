import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readChannelSecrets } from "../../../src/services/alerts/index.js";
import { initKeystore, rotateKeyIndex, Secret, setAlertSecret } from "../../../src/services/keys/index.js";
import { fileKeystore, makeTempDir, type TempDir } from "./support/keystore-fixtures.js";

const dirs: TempDir[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await dir.remove();
});

const SLACK = "https://hooks.slack.com/services/T000/B000/storedSlackSecretPath";
const TOKEN = "123456:storedTokenSecretPart";

async function keystoreWithSecrets() {
  const dir = await makeTempDir();
  dirs.push(dir);
  const path = join(dir.path, "keystore.json");
  const backend = fileKeystore(path);
  await initKeystore(backend, { now: new Date("2026-12-01T00:00:00Z"), arweaveJwk: null });
  await setAlertSecret(backend, "slackWebhookUrl", new Secret(SLACK, [SLACK]));
  await setAlertSecret(backend, "telegramBotToken", new Secret(TOKEN, [TOKEN]));
  return { backend, path };
}

describe("alert channel credentials in the keystore", () => {
  it("are saved encrypted, come back as Secrets, survive a key rotation, and can be removed", async () => {
    const { backend, path } = await keystoreWithSecrets();
    const file = await readFile(path, "utf8");
    expect(file).not.toContain("storedSlackSecretPath");
    expect(file).not.toContain("storedTokenSecretPart");

    const loaded = await fileKeystore(path).load();
    expect(loaded.alertSecrets?.slackWebhookUrl?.reveal()).toBe(SLACK);
    expect(String(loaded.alertSecrets?.telegramBotToken)).toBe("[redacted]");

    await rotateKeyIndex(backend, "evm", 1, new Date("2026-12-02T00:00:00Z"));
    expect((await fileKeystore(path).load()).alertSecrets?.telegramBotToken?.reveal()).toBe(TOKEN);

    await setAlertSecret(backend, "telegramBotToken", null);
    const after = await fileKeystore(path).load();
    expect(after.alertSecrets?.telegramBotToken).toBeUndefined();
    expect(after.alertSecrets?.slackWebhookUrl?.reveal()).toBe(SLACK);
  });

  it("are used by the channels unless the environment's variable overrides them", async () => {
    const { path } = await keystoreWithSecrets();
    const stored = (await fileKeystore(path).load()).alertSecrets ?? {};
    const fromKeystore = readChannelSecrets({}, stored);
    expect(fromKeystore.slackWebhookUrl?.reveal()).toBe(SLACK);
    expect(fromKeystore.telegramBotToken?.reveal()).toBe(TOKEN);
    expect(fromKeystore.webhookSecret).toBeNull();
    const overridden = readChannelSecrets({ AGENT_TELEGRAM_BOT_TOKEN: "999:fromTheEnvironment" }, stored);
    expect(overridden.telegramBotToken?.reveal()).toBe("999:fromTheEnvironment");
  });

  it("are checked like the variables: a malformed stored token is refused by the variable's name", () => {
    expect(() => readChannelSecrets({}, { telegramBotToken: new Secret("nonsense-token") })).toThrow(
      /^AGENT_TELEGRAM_BOT_TOKEN is not a bot token/,
    );
  });
});
