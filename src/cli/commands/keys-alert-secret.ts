import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { channelSecretEnv, readChannelSecrets } from "../../services/alerts/index.js";
import { type AlertSecretName, MNEMONIC_ENV, Secret, setAlertSecret } from "../../services/keys/index.js";
import { cliContext, print } from "../cli-options.js";
import { openKeystore, usesEnvKeystore } from "../keystore-access.js";
import { stdinIsTerminal, withPrompter } from "../terminal-prompt.js";

/** What the operator types on the command line → the keystore's name and the overriding variable. */
const CHANNELS: Record<string, { name: AlertSecretName; env: string; what: string }> = {
  webhook: { name: "webhookSecret", env: channelSecretEnv.webhookSecret, what: "webhook HMAC secret" },
  slack: {
    name: "slackWebhookUrl",
    env: channelSecretEnv.slackWebhookUrl,
    what: "Slack incoming-webhook URL",
  },
  telegram: { name: "telegramBotToken", env: channelSecretEnv.telegramBotToken, what: "Telegram bot token" },
};

/** A value is one line: more than this is a wrong file piped in. */
const MAX_BYTES = 2048;

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BYTES)
      throw new UsageError(`standard input holds more than ${MAX_BYTES} bytes: pipe in the one value`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8").trim();
}

export function registerKeysAlertSecretCommand(keys: Command): void {
  keys
    .command("set-alert-secret")
    .description(
      "keep an alert channel's credential (webhook | slack | telegram) in the encrypted keystore; the AGENT_* variable still overrides it",
    )
    .argument("<channel>", "webhook (HMAC secret), slack (incoming-webhook URL) or telegram (bot token)")
    .option("--clear", "remove the stored credential instead")
    .action(async (channelName: string, options: { clear?: boolean }, command: Command) => {
      const channel = CHANNELS[channelName];
      if (!channel) {
        throw new UsageError(`unknown alert channel "${channelName}": use webhook, slack or telegram`);
      }
      const { config } = cliContext(command);
      if (usesEnvKeystore(config)) {
        throw new UsageError(
          `the keys come from ${MNEMONIC_ENV} (nothing is saved): set ${channel.env} in the environment instead`,
        );
      }
      const backend = await openKeystore(config);
      if (options.clear) {
        await setAlertSecret(backend, channel.name, null);
        print(`The ${channel.what} is no longer kept in the keystore.`);
        return;
      }
      const value = stdinIsTerminal()
        ? await withPrompter((prompter) => prompter.ask(`${channel.what} (not shown): `, { hidden: true }))
        : await readStdinLine();
      const secret = new Secret(value.trim(), [value.trim()]);
      if (secret.reveal() === "")
        throw new UsageError(`no ${channel.what} was given: type it, or pipe it in`);
      // The same checks as for the environment variable (a token's shape, a URL), before anything is saved.
      readChannelSecrets({}, { [channel.name]: secret });
      await setAlertSecret(backend, channel.name, secret);
      print(`The ${channel.what} is kept in the keystore (${channel.env}, when set, overrides it).`);
    });
}
