import { InvalidKeyInputError } from "./keys-errors.js";
import type { Secret, SecretRegistry } from "./secret.js";
import { secretString } from "./secret.js";

export const PASSPHRASE_ENV = "AGENT_PASSPHRASE";

/** Wraps a keystore passphrase; `source` names where it came from. An empty one is refused. */
export function toPassphrase(text: string, source: string, registry?: SecretRegistry): Secret<string> {
  const passphrase = secretString(text, registry);
  if (text.trim().length === 0) {
    throw new InvalidKeyInputError(
      `the keystore passphrase from ${source} is empty: set a non-empty passphrase`,
    );
  }
  return passphrase;
}

/** The passphrase from `AGENT_PASSPHRASE`. */
export function passphraseFromEnv(env: NodeJS.ProcessEnv = process.env): Secret<string> {
  const text = env[PASSPHRASE_ENV];
  if (text === undefined) {
    throw new InvalidKeyInputError(
      `${PASSPHRASE_ENV} is not set: set it to the keystore passphrase (the file keystore needs one)`,
    );
  }
  return toPassphrase(text, PASSPHRASE_ENV);
}
