import { DomainInputError } from "../domain-input-error.js";

/** What stands in for every secret value in the printed/written form of an SDL. */
export const REDACTED_MARKER = "[redacted]";

/**
 * The secrets an SDL carries. They enter only through injectSecrets. None is the agent's: its keys
 * reach a deployed instance only by activation (DESIGN §12), never through the manifest.
 */
export interface SdlSecrets {
  /** postgres password, shared by agent-relay and postgres (POSTGRES_PASSWORD), derived per deployment group. */
  readonly postgresPassword: string;
}

export type SdlSecretName = keyof SdlSecrets;

export const SDL_SECRET_NAMES: readonly SdlSecretName[] = ["postgresPassword"];

const MIN_PASSWORD_LENGTH = 16;

/** Checks shape only (never echoing a value): a ≥16-char printable password. */
export function validateSdlSecrets(secrets: SdlSecrets): SdlSecrets {
  const reject = (name: string, allowed: string) =>
    new DomainInputError(`secrets.${name}`, REDACTED_MARKER, allowed);
  if (typeof secrets !== "object" || secrets === null) {
    throw new DomainInputError("secrets", REDACTED_MARKER, "must be an object { postgresPassword }");
  }
  for (const name of Object.keys(secrets)) {
    if (name === "agentMnemonic") {
      throw reject(
        name,
        "must not be in an SDL: a deployed instance receives the agent's keys by activation",
      );
    }
    if (!(SDL_SECRET_NAMES as readonly string[]).includes(name)) {
      throw reject(name, `is not an SDL secret (known: ${SDL_SECRET_NAMES.join(", ")})`);
    }
  }
  const { postgresPassword } = secrets;
  if (typeof postgresPassword !== "string" || !/^[\x21-\x7e]+$/.test(postgresPassword)) {
    throw reject("postgresPassword", "must be printable ASCII without spaces");
  }
  if (postgresPassword.length < MIN_PASSWORD_LENGTH) {
    throw reject("postgresPassword", `must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  return { postgresPassword };
}
