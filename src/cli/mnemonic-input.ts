import { UsageError } from "../errors.js";
import { parseMnemonic, type Secret, secretRegistry } from "../services/keys/index.js";
import { type Prompter, stdinIsTerminal } from "./terminal-prompt.js";

/** More than any mnemonic with generous spacing: stops a wrong file piped in by mistake. */
const MAX_STDIN_BYTES = 4096;

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of process.stdin) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      chunks.push(buffer);
      size += buffer.length;
      if (size > MAX_STDIN_BYTES) {
        throw new UsageError(
          `standard input holds more than ${MAX_STDIN_BYTES} bytes: pipe in only the 12 or 24 words of the mnemonic`,
        );
      }
    }
    return Buffer.concat(chunks).toString("utf8");
  } finally {
    for (const chunk of chunks) chunk.fill(0);
  }
}

/**
 * The mnemonic to import: typed at a hidden prompt on a terminal, else read from standard input
 * (for scripts). Checked as BIP39 (12 or 24 English words, checksum); errors name word positions only.
 */
export async function readImportedMnemonic(prompter: Prompter | null): Promise<Secret<string>> {
  if (stdinIsTerminal() && prompter) {
    const text = await prompter.ask("Recovery words (12 or 24, separated by spaces; not shown): ", {
      hidden: true,
    });
    secretRegistry.add([text.trim()]);
    if (text.trim().length === 0) {
      throw new UsageError(
        "no recovery words were typed: run `akash-agent init --import` again and type them",
      );
    }
    return parseMnemonic(text, "the mnemonic typed at the prompt");
  }
  const text = await readAllStdin();
  secretRegistry.add([text.trim()]);
  if (text.trim().length === 0) {
    throw new UsageError(
      "init --import found no words on standard input: pipe the mnemonic in (e.g. from a file), or run it on a terminal to type it",
    );
  }
  return parseMnemonic(text, "the mnemonic on standard input");
}
