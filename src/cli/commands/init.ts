import { existsSync, renameSync } from "node:fs";
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import {
  type AgentIdentity,
  AgentKeys,
  createKeystoreContents,
  EnvKeystore,
  FileKeystore,
  saveNewKeystore,
} from "../../services/keys/index.js";
import { cliContext, print } from "../cli-options.js";
import { keystorePath, usesEnvKeystore } from "../keystore-access.js";
import { showAndConfirmMnemonic } from "../mnemonic-confirm.js";
import { readImportedMnemonic } from "../mnemonic-input.js";
import { obtainPassphrase } from "../passphrase-prompt.js";
import { LazyPrompter, stdinIsTerminal, stdoutIsTerminal } from "../terminal-prompt.js";
import { identityJson, printIdentity } from "./identity-output.js";

interface InitOptions {
  force?: boolean;
  json?: boolean;
  import?: boolean;
  /** False with --no-confirm. */
  confirm: boolean;
}

/** Why the new recovery words were not shown, or null when they are shown and confirmed. */
function wordsNotShownReason(options: InitOptions): string | null {
  if (!options.confirm) return "--no-confirm";
  if (options.json) return "--json never prints them";
  if (!stdinIsTerminal() || !stdoutIsTerminal()) return "not a terminal";
  return null;
}

/** What the user must know about the recovery words and the Arweave wallet, as lines to print. */
export function custodyNotes(options: {
  imported: boolean;
  notShownReason: string | null;
  identity: AgentIdentity;
  keystore: string;
}): string[] {
  const notes: string[] = [];
  if (options.imported) {
    notes.push("The keys were restored from your recovery words: keep them where they were.");
  } else if (options.notShownReason) {
    notes.push(
      `The recovery words were not shown (${options.notShownReason}): before funding the agent, write them ` +
        "down with `akash-agent keys export-mnemonic` on a terminal.",
    );
  } else {
    notes.push("The recovery words are written down and confirmed: they restore every chain key.");
  }
  if (options.identity.arweave) {
    notes.push(
      `The Arweave wallet (${options.identity.arweave}) does not derive from the recovery words` +
        `${options.imported ? "; a new one was generated" : ""}, and the backups do not carry it: it is only ` +
        `in the keystore file. Keep a copy of ${options.keystore} and its passphrase as well as the words.`,
    );
  }
  return notes;
}

export function registerInitCommand(program: Command): void {
  program
    .command("init")
    .description(
      "create the agent's keystore (a new 24-word mnemonic, or imported words, and an Arweave wallet) and show the addresses to fund",
    )
    .option("--force", "replace an existing keystore (the old file is kept as a timestamped .bak)")
    .option("--json", "print the public identity as one JSON object (never the recovery words)")
    .option(
      "--import",
      "restore from an existing 12- or 24-word BIP39 mnemonic, typed at a hidden prompt or piped on stdin",
    )
    .option(
      "--no-confirm",
      "do not show and confirm the new recovery words (scripted setups: export them later with keys export-mnemonic)",
    )
    .action(async (options: InitOptions, command: Command) => {
      const { config } = cliContext(command);
      if (usesEnvKeystore(config)) {
        const identity = AgentKeys.fromContents(await new EnvKeystore().load()).identity;
        throw new UsageError(
          `AGENT_MNEMONIC is set (identity ${identity.agentId}): init creates a file keystore; unset AGENT_MNEMONIC to create one`,
        );
      }
      const path = keystorePath(config);
      if (existsSync(path) && !options.force) {
        throw new UsageError(
          `a keystore already exists at ${path}: it holds the agent's funds; pass --force to replace it (the old file is kept as a backup)`,
        );
      }
      const imported = options.import === true;
      const notShownReason = imported ? null : wordsNotShownReason(options);
      const prompter = new LazyPrompter();
      let backup: string | null = null;
      let contents: Awaited<ReturnType<typeof createKeystoreContents>>;
      try {
        const mnemonic = imported ? await readImportedMnemonic(prompter) : undefined;
        const passphrase = await obtainPassphrase({ confirm: true, prompter });
        const backend = new FileKeystore({ path, passphrase });
        contents = await createKeystoreContents({ now: new Date(), ...(mnemonic ? { mnemonic } : {}) });
        if (!imported && notShownReason === null) {
          await showAndConfirmMnemonic(contents.mnemonic.reveal().split(" "), {
            prompter,
            screen: process.stdout,
          });
        }
        if (existsSync(path)) {
          backup = `${path}.${new Date().toISOString().replace(/[:.]/g, "-")}.bak`;
          renameSync(path, backup);
        }
        await saveNewKeystore(backend, contents);
      } finally {
        prompter.close();
      }
      const { identity } = AgentKeys.fromContents(contents);
      const notes = custodyNotes({ imported, notShownReason, identity, keystore: path });
      if (options.json) {
        print(JSON.stringify({ keystore: path, ...identityJson(identity), arweave: identity.arweave }));
        for (const note of notes) process.stderr.write(`${note}\n`);
        return;
      }
      print(`Created the keystore at ${path}${imported ? " from the imported recovery words" : ""}`);
      if (backup) print(`The previous keystore was moved to ${backup}`);
      print();
      printIdentity(identity);
      print();
      print("Fund the agent before it deploys itself:");
      print(`  AKT (fees, and minted into ACT for leases) to  ${identity.akash}`);
      print(`  CRO (treasury, swapped for AKT when short)   to  ${identity.evm}`);
      if (identity.arweave) print(`  AR  (state backups on Arweave)               to  ${identity.arweave}`);
      print();
      for (const note of notes) print(note);
      print("Remember the passphrase: the keystore file opens only with it.");
    });
}
