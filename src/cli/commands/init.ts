import { existsSync, renameSync } from "node:fs";
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { AgentKeys, EnvKeystore, FileKeystore, initKeystore } from "../../services/keys/index.js";
import { cliContext, print } from "../cli-options.js";
import { keystorePath, usesEnvKeystore } from "../keystore-access.js";
import { obtainPassphrase } from "../passphrase-prompt.js";
import { identityJson, printIdentity } from "./identity-output.js";

interface InitOptions {
  force?: boolean;
  json?: boolean;
}

export function registerInitCommand(program: Command): void {
  program
    .command("init")
    .description(
      "create the agent's keystore (a new 24-word mnemonic and Arweave wallet) and show the addresses to fund",
    )
    .option("--force", "replace an existing keystore (the old file is kept as a timestamped .bak)")
    .option("--json", "print the public identity as one JSON object")
    .action(async (options: InitOptions, command: Command) => {
      const { config } = cliContext(command);
      if (usesEnvKeystore(config)) {
        const identity = AgentKeys.fromContents(await new EnvKeystore().load()).identity;
        throw new UsageError(
          `AGENT_MNEMONIC is set (identity ${identity.agentId}): init creates a file keystore; unset AGENT_MNEMONIC to create one`,
        );
      }
      const path = keystorePath(config);
      let backup: string | null = null;
      if (existsSync(path)) {
        if (!options.force) {
          throw new UsageError(
            `a keystore already exists at ${path}: it holds the agent's funds; pass --force to replace it (the old file is kept as a backup)`,
          );
        }
        backup = `${path}.${new Date().toISOString().replace(/[:.]/g, "-")}.bak`;
        renameSync(path, backup);
      }
      const backend = new FileKeystore({ path, passphrase: await obtainPassphrase({ confirm: true }) });
      const contents = await initKeystore(backend, { now: new Date() });
      const { identity } = AgentKeys.fromContents(contents);
      if (options.json) {
        print(JSON.stringify({ keystore: path, ...identityJson(identity), arweave: identity.arweave }));
        return;
      }
      print(`Created the keystore at ${path}`);
      if (backup) print(`The previous keystore was moved to ${backup}`);
      print();
      printIdentity(identity);
      print();
      print("Fund the agent before it deploys itself:");
      print(`  AKT (fees, and minted into ACT for leases) to  ${identity.akash}`);
      print(`  CRO (treasury, swapped for AKT when short)   to  ${identity.evm}`);
      if (identity.arweave) print(`  AR  (state backups on Arweave)               to  ${identity.arweave}`);
      print();
      print("Back up the keystore file and remember the passphrase: together they are the agent's wallet.");
    });
}
