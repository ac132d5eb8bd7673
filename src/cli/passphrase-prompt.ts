import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { UsageError } from "../errors.js";
import { PASSPHRASE_ENV, passphraseFromEnv, type Secret, toPassphrase } from "../services/keys/index.js";

/** Reads one line from the terminal without echoing it. */
function readHidden(question: string): Promise<string> {
  const muted = new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
  process.stderr.write(question);
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  return new Promise((resolve) => {
    rl.question("", (answer) => {
      rl.close();
      process.stderr.write("\n");
      resolve(answer);
    });
  });
}

/**
 * The keystore passphrase: `AGENT_PASSPHRASE`, else a prompt on a terminal (asked twice when
 * creating a keystore), else a clear error.
 */
export async function obtainPassphrase(options: { confirm: boolean }): Promise<Secret<string>> {
  if (process.env[PASSPHRASE_ENV] !== undefined) return passphraseFromEnv();
  if (!process.stdin.isTTY) {
    throw new UsageError(`no keystore passphrase: set ${PASSPHRASE_ENV} (stdin is not a terminal to ask on)`);
  }
  const first = await readHidden("Keystore passphrase: ");
  if (options.confirm) {
    const second = await readHidden("Repeat the passphrase: ");
    if (first !== second) throw new UsageError("the passphrases do not match: run the command again");
  }
  return toPassphrase(first, "the prompt");
}
