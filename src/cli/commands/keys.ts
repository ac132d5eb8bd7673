import type { Command } from "commander";
import { cliContext, print } from "../cli-options.js";
import { loadAgentKeys } from "../keystore-access.js";
import { identityJson, printIdentity } from "./identity-output.js";
import { registerKeysAlertSecretCommand } from "./keys-alert-secret.js";
import { registerKeysExportCommand } from "./keys-export.js";
import { registerKeysPasswdCommand } from "./keys-passwd.js";

export function registerKeysCommand(program: Command): void {
  const keys = program
    .command("keys")
    .description("the agent's keys: show the identity, export the recovery words, change the passphrase");
  keys
    .command("show")
    .description("print the public identity from the keystore (or AGENT_MNEMONIC)")
    .option("--json", 'one JSON object: { "agentId", "akash", "evm", "npub", "nostrPubkey" }')
    .action(async (options: { json?: boolean }, command: Command) => {
      const { config } = cliContext(command);
      const { identity } = await loadAgentKeys(config);
      if (options.json) print(JSON.stringify(identityJson(identity)));
      else printIdentity(identity);
    });
  registerKeysExportCommand(keys);
  registerKeysPasswdCommand(keys);
  registerKeysAlertSecretCommand(keys);
}
