import { AgentError, UsageError } from "../../errors.js";

/**
 * A keystore that exists but cannot be used: it does not decrypt, it is damaged, it was written by an
 * unknown version, it cannot be read or written. Exit code 1. Messages name the keystore, never a secret.
 */
export class KeystoreError extends AgentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 1, options);
  }
}

/** No keystore where the configuration points: the user has to create one (exit code 2). */
export class KeystoreNotFoundError extends UsageError {}

/** A mnemonic given by the user is not a valid 12- or 24-word BIP39 English mnemonic (exit code 2). */
export class InvalidMnemonicError extends UsageError {}

/** A secret given by the user (passphrase, AGENT_* key variable) is missing or malformed (exit code 2). */
export class InvalidKeyInputError extends UsageError {}

/** `init` found a keystore already there and will not overwrite it (exit code 2). */
export class KeystoreExistsError extends UsageError {}
