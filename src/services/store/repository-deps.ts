import type { Redactor } from "../../logging/index.js";

/**
 * Scrubs secrets from free text and JSON values before they are stored. The logging layer's
 * `createRedactor(secrets)` fits; the default stores values as given.
 */
export type StoreRedactor = Pick<Redactor, "text" | "value">;

export const passThroughRedactor: StoreRedactor = {
  text: (input) => input,
  value: (input) => input,
};

/** What every repository needs besides the connection. */
export interface RepositoryDeps {
  /** Current time, UTC milliseconds since the epoch. */
  readonly clock: () => number;
  readonly redactor: StoreRedactor;
}

export function requireText(value: string, field: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new TypeError(`${field} must be a non-empty string`);
  }
  return value;
}
