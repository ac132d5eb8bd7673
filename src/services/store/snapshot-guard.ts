import { findStringPath } from "./json-data.js";
import { SecretInSnapshotError } from "./store-errors.js";

/** Shorter strings are ignored, as in the log redactor: they would match ordinary text. */
export const MIN_SECRET_LENGTH = 6;

/**
 * Throws `SecretInSnapshotError` when any secret (raw or JSON-escaped) occurs in `json`, the
 * serialised form of `value`. The error names where it sits, never the secret.
 */
export function assertNoSecrets(
  machineId: string,
  json: string,
  value: unknown,
  secrets: Iterable<string>,
): void {
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (json.includes(secret) || json.includes(escaped)) {
      throw new SecretInSnapshotError(machineId, findStringPath(value, secret) ?? "the snapshot");
    }
  }
}
