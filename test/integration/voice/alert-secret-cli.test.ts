import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { FileKeystore, initKeystore, toPassphrase } from "../../../src/services/keys/index.js";

const MAIN = fileURLToPath(new URL("../../../src/main.ts", import.meta.url));
const PASSPHRASE = "cli test passphrase";
const SLACK = "https://hooks.slack.com/services/T1/B1/cliSlackSecretPath";

/** The CLI from source with `input` on stdin (not a terminal), AGENT_PASSPHRASE set. */
function runCli(
  args: string[],
  input: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AGENT_")));
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], {
    env: { ...env, AGENT_PASSPHRASE: PASSPHRASE },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin.end(input);
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
}

describe("akash-agent keys set-alert-secret", () => {
  const dir = mkdtempSync(join(tmpdir(), "alert-secret-cli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps a credential piped in, encrypted in the keystore, and refuses a malformed one with exit code 2", {
    timeout: 90_000,
  }, async () => {
    const path = join(dir, "keystore.json");
    const passphrase = toPassphrase(PASSPHRASE, "the test");
    await initKeystore(new FileKeystore({ path, passphrase, scrypt: { N: 2 ** 10, r: 8, p: 1 } }), {
      now: new Date(),
      arweaveJwk: null,
    });
    // All at once: each pays tsx's start-up. The malformed one is refused before it would save anything.
    const [stored, refused, malformed] = await Promise.all([
      runCli(["keys", "set-alert-secret", "slack", "--data", dir], `${SLACK}\n`),
      runCli(["keys", "set-alert-secret", "telegram", "--data", join(dir, "none")], "not-a-token\n"),
      runCli(["keys", "set-alert-secret", "telegram", "--data", dir], "not-a-token\n"),
    ]);
    expect(stored.stderr).toBe("");
    expect(stored.code).toBe(0);
    expect(stored.stdout).toMatch(/Slack incoming-webhook URL is kept in the keystore/);
    expect(`${stored.stdout}${readFileSync(path, "utf8")}`).not.toContain("cliSlackSecretPath");
    const loaded = await new FileKeystore({ path, passphrase }).load();
    expect(loaded.alertSecrets?.slackWebhookUrl?.reveal()).toBe(SLACK);

    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/no keystore at/);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/AGENT_TELEGRAM_BOT_TOKEN is not a bot token/);
    expect(malformed.stderr).not.toContain("not-a-token");
    expect(
      (await new FileKeystore({ path, passphrase }).load()).alertSecrets?.telegramBotToken,
    ).toBeUndefined();
  });
});
