import { UsageError } from "../errors.js";

const MAX_SHOWN_LENGTH = 80;

/** How a rejected value appears in a message: numbers and short strings as they are, objects by kind. */
export function describeInputValue(value: unknown): string {
  if (typeof value === "string") {
    const quoted = JSON.stringify(value);
    return quoted.length > MAX_SHOWN_LENGTH ? `${quoted.slice(0, MAX_SHOWN_LENGTH - 4)}…"` : quoted;
  }
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
    return String(value);
  }
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  return Array.isArray(value) ? "an array" : `a ${typeof value}`;
}

/**
 * A value given to a domain rule is outside what the rule allows. The message names the field, the
 * value and what is allowed, e.g. `invalid input: metrics.eventsPerSecond = -5: must be a finite
 * number ≥ 0`. It is a UsageError, so the CLI exits with code 2.
 *
 * Only the already-rendered value is kept (`shownValue`), never the raw one: for a secret field the
 * caller passes a marker instead, so the error can be logged or serialised safely.
 */
export class DomainInputError extends UsageError {
  readonly field: string;
  readonly shownValue: string;
  readonly allowed: string;

  constructor(field: string, shownValue: string, allowed: string) {
    super(`invalid input: ${field} = ${shownValue}: ${allowed}`);
    this.field = field;
    this.shownValue = shownValue;
    this.allowed = allowed;
  }

  /** The error for a non-secret value, rendered with describeInputValue. */
  static of(field: string, value: unknown, allowed: string): DomainInputError {
    return new DomainInputError(field, describeInputValue(value), allowed);
  }
}
