import { UsageError } from "../errors.js";
import { PASSPHRASE_ENV, passphraseFromEnv, type Secret, toPassphrase } from "../services/keys/index.js";
import { type Prompter, stdinIsTerminal, withPrompter } from "./terminal-prompt.js";

/** Where `keys passwd` reads the new passphrase from when it is not asked at the terminal. */
export const NEW_PASSPHRASE_ENV = "AGENT_NEW_PASSPHRASE";

async function askPassphrase(
  prompter: Prompter,
  labels: { first: string; repeat: string },
  confirm: boolean,
): Promise<Secret<string>> {
  const first = await prompter.ask(labels.first, { hidden: true });
  if (confirm) {
    const second = await prompter.ask(labels.repeat, { hidden: true });
    if (first !== second) throw new UsageError("the passphrases do not match: run the command again");
  }
  return toPassphrase(first, "the prompt");
}

function withOptionalPrompter<T>(
  prompter: Prompter | undefined,
  use: (p: Prompter) => Promise<T>,
): Promise<T> {
  return prompter ? use(prompter) : withPrompter(use);
}

/**
 * The keystore passphrase: `AGENT_PASSPHRASE`, else a prompt on a terminal (asked twice when
 * creating a keystore), else a clear error. `fresh` asks at the terminal even when the variable is set
 * (export-mnemonic wants it entered again by whoever is at the terminal).
 */
export async function obtainPassphrase(options: {
  confirm: boolean;
  prompter?: Prompter;
  fresh?: boolean;
}): Promise<Secret<string>> {
  if (process.env[PASSPHRASE_ENV] !== undefined && !options.fresh) return passphraseFromEnv();
  if (!stdinIsTerminal()) {
    throw new UsageError(`no keystore passphrase: set ${PASSPHRASE_ENV} (stdin is not a terminal to ask on)`);
  }
  return withOptionalPrompter(options.prompter, (prompter) =>
    askPassphrase(
      prompter,
      { first: "Keystore passphrase: ", repeat: "Repeat the passphrase: " },
      options.confirm,
    ),
  );
}

/** The new passphrase for `keys passwd`: `AGENT_NEW_PASSPHRASE`, else asked twice at the terminal. */
export async function obtainNewPassphrase(options: { prompter?: Prompter } = {}): Promise<Secret<string>> {
  const fromEnv = process.env[NEW_PASSPHRASE_ENV];
  if (fromEnv !== undefined) return toPassphrase(fromEnv, NEW_PASSPHRASE_ENV);
  if (!stdinIsTerminal()) {
    throw new UsageError(
      `no new keystore passphrase: set ${NEW_PASSPHRASE_ENV} (stdin is not a terminal to ask on)`,
    );
  }
  return withOptionalPrompter(options.prompter, (prompter) =>
    askPassphrase(
      prompter,
      { first: "New keystore passphrase: ", repeat: "Repeat the new passphrase: " },
      true,
    ),
  );
}
