import { existsSync } from "node:fs";
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { keystoreCrashPointFromEnv } from "../../runtime/crash-point.js";
import { changeKeystorePassphrase, KeystoreNotFoundError, MNEMONIC_ENV } from "../../services/keys/index.js";
import { cliContext, print } from "../cli-options.js";
import { keystorePath, usesEnvKeystore } from "../keystore-access.js";
import { NEW_PASSPHRASE_ENV, obtainNewPassphrase, obtainPassphrase } from "../passphrase-prompt.js";
import { LazyPrompter } from "../terminal-prompt.js";

interface PasswdOptions {
  keepBackup?: boolean;
  json?: boolean;
}

export function registerKeysPasswdCommand(keys: Command): void {
  keys
    .command("passwd")
    .description(
      `re-encrypt the keystore under a new passphrase (from ${NEW_PASSPHRASE_ENV} or asked twice), atomically`,
    )
    .option(
      "--keep-backup",
      "keep the old file (still opened by the old passphrase) as <keystore>.passwd-<time>.bak after the change",
    )
    .option("--json", 'one JSON object: { "keystore", "backup" } (backup is null unless kept)')
    .action(async (options: PasswdOptions, command: Command) => {
      const { config } = cliContext(command);
      if (usesEnvKeystore(config)) {
        throw new UsageError(
          `the keys come from ${MNEMONIC_ENV} (the development keystore), which has no passphrase: unset it to change the keystore file's`,
        );
      }
      const path = keystorePath(config);
      if (!existsSync(path)) {
        throw new KeystoreNotFoundError(`no keystore at ${path}: create one with \`akash-agent init\``);
      }
      const onStep = keystoreCrashPointFromEnv();
      const prompter = new LazyPrompter();
      let result: Awaited<ReturnType<typeof changeKeystorePassphrase>>;
      try {
        const current = await obtainPassphrase({ confirm: false, prompter });
        const next = await obtainNewPassphrase({ prompter });
        result = await changeKeystorePassphrase({
          path,
          current,
          next,
          now: new Date(),
          keepBackup: options.keepBackup === true,
          ...(onStep ? { onStep } : {}),
        });
      } finally {
        prompter.close();
      }
      if (options.json) {
        print(JSON.stringify({ keystore: result.path, backup: result.backup }));
        return;
      }
      print(
        `The keystore at ${result.path} is now encrypted under the new passphrase (checked before it replaced the old file).`,
      );
      if (result.backup) {
        print(
          `The old file is kept at ${result.backup}: it still opens with the old passphrase; delete it once you no longer need it.`,
        );
      } else {
        print("The old file, encrypted under the old passphrase, was removed once the new one was in place.");
      }
    });
}
