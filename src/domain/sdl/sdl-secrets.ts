import { DomainInputError } from "../domain-input-error.js";

/** What stands in for every secret value in the printed/written form of an SDL. */
export const REDACTED_MARKER = "[redacted]";

/** The secrets an SDL carries. They enter only through injectSecrets. */
export interface SdlSecrets {
  /** The agent's BIP39 mnemonic (AGENT_MNEMONIC; the deployed agent's keystore reads it from env). */
  readonly agentMnemonic: string;
  /** postgres password, shared by agent-relay and postgres (POSTGRES_PASSWORD). */
  readonly postgresPassword: string;
}

export type SdlSecretName = keyof SdlSecrets;

export const SDL_SECRET_NAMES: readonly SdlSecretName[] = ["agentMnemonic", "postgresPassword"];

const BIP39_WORD_COUNTS = new Set([12, 15, 18, 21, 24]);
const MIN_PASSWORD_LENGTH = 16;

/** Checks shape only (never echoing a value): a lowercase 12–24 word mnemonic, a ≥16-char password. */
export function validateSdlSecrets(secrets: SdlSecrets): SdlSecrets {
  const reject = (name: string, allowed: string) =>
    new DomainInputError(`secrets.${name}`, REDACTED_MARKER, allowed);
  if (typeof secrets !== "object" || secrets === null) {
    throw new DomainInputError(
      "secrets",
      REDACTED_MARKER,
      "must be an object { agentMnemonic, postgresPassword }",
    );
  }
  for (const name of Object.keys(secrets)) {
    if (!(SDL_SECRET_NAMES as readonly string[]).includes(name)) {
      throw reject(name, `is not an SDL secret (known: ${SDL_SECRET_NAMES.join(", ")})`);
    }
  }
  const { agentMnemonic, postgresPassword } = secrets;
  if (
    typeof agentMnemonic !== "string" ||
    !/^[a-z]+( [a-z]+)*$/.test(agentMnemonic) ||
    !BIP39_WORD_COUNTS.has(agentMnemonic.split(" ").length)
  ) {
    throw reject("agentMnemonic", "must be 12, 15, 18, 21 or 24 lowercase words separated by single spaces");
  }
  if (typeof postgresPassword !== "string" || !/^[\x21-\x7e]+$/.test(postgresPassword)) {
    throw reject("postgresPassword", "must be printable ASCII without spaces");
  }
  if (postgresPassword.length < MIN_PASSWORD_LENGTH) {
    throw reject("postgresPassword", `must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  return { agentMnemonic, postgresPassword };
}
