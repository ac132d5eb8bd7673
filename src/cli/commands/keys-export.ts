import { existsSync } from "node:fs";
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { FileKeystore, KeystoreNotFoundError, MNEMONIC_ENV } from "../../services/keys/index.js";
import { cliContext } from "../cli-options.js";
import { keystorePath, usesEnvKeystore } from "../keystore-access.js";
import { CLEAR_SCREEN, frameMnemonic } from "../mnemonic-display.js";
import { obtainPassphrase } from "../passphrase-prompt.js";
import { LazyPrompter, stdinIsTerminal, stdoutIsTerminal } from "../terminal-prompt.js";

interface ExportOptions {
  force?: boolean;
}

export function registerKeysExportCommand(keys: Command): void {
  keys
    .command("export-mnemonic")
    .description(
      "show the recovery words on the terminal after the passphrase is entered again (refused when piped or redirected)",
    )
    .option("--force", "write the words even when stdout is not a terminal (a pipe or a file)")
    .action(async (options: ExportOptions, command: Command) => {
      const { config } = cliContext(command);
      if (usesEnvKeystore(config)) {
        throw new UsageError(
          `the recovery words come from ${MNEMONIC_ENV} (the development keystore), not a keystore file: there is nothing to export`,
        );
      }
      const toTerminal = stdoutIsTerminal();
      if (!toTerminal && !options.force) {
        throw new UsageError(
          "keys export-mnemonic: standard output is not a terminal (it is piped or redirected), so the recovery " +
            "words would land in a pipe, a file or a log: run it on a terminal, or pass --force if you mean to write them there",
        );
      }
      const path = keystorePath(config);
      if (!existsSync(path)) {
        throw new KeystoreNotFoundError(`no keystore at ${path}: create one with \`akash-agent init\``);
      }
      // At a terminal the passphrase is typed again even when AGENT_PASSPHRASE is set: whoever is at the
      // terminal proves they know it. Without a terminal to ask on, only --force (and the variable) will do.
      const askAgain = toTerminal && stdinIsTerminal();
      if (toTerminal && !askAgain && !options.force) {
        throw new UsageError(
          "keys export-mnemonic asks for the passphrase again at the terminal, and stdin is not one: run it on a terminal",
        );
      }
      const prompter = new LazyPrompter();
      try {
        const passphrase = await obtainPassphrase({ confirm: false, prompter, fresh: askAgain });
        const contents = await new FileKeystore({ path, passphrase }).load();
        const words = contents.mnemonic.reveal().split(" ");
        if (toTerminal) {
          process.stdout.write(`\n${frameMnemonic(words).join("\n")}\n\n`);
          if (askAgain) {
            await prompter.ask("Press Enter to clear the screen once they are written down. ");
            process.stdout.write(CLEAR_SCREEN);
          }
          return;
        }
        process.stdout.write(`${words.join(" ")}\n`);
        process.stderr.write(
          "keys export-mnemonic --force: the recovery words went to standard output, which is not a terminal: " +
            "delete any file that holds them once they are on paper\n",
        );
      } finally {
        prompter.close();
      }
    });
}
