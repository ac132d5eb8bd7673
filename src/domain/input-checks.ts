import { DomainInputError } from "./domain-input-error.js";

/**
 * Guards for values crossing into the domain. Each returns the value when it is acceptable and
 * throws a DomainInputError naming the field otherwise. They check `typeof` too, because callers
 * may hand over parsed JSON or config values that TypeScript has not seen.
 */

export function requireNonNegative(field: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw DomainInputError.of(field, value, "must be a finite number ≥ 0");
  }
  return value;
}

export function requirePositive(field: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw DomainInputError.of(field, value, "must be a finite number > 0");
  }
  return value;
}

export function requireNonNegativeInteger(field: string, value: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw DomainInputError.of(field, value, "must be a whole number ≥ 0");
  }
  return value;
}

export function requirePositiveInteger(field: string, value: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw DomainInputError.of(field, value, "must be a whole number ≥ 1");
  }
  return value;
}

/** A share such as an uptime or a threshold: 0 ≤ value ≤ 1. */
export function requireFraction(field: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw DomainInputError.of(field, value, "must be a number from 0 to 1");
  }
  return value;
}

/** A time in milliseconds since the epoch. */
export function requireTimestamp(field: string, value: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw DomainInputError.of(field, value, "must be a time in whole milliseconds since the epoch");
  }
  return value;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** One line of printable text (no newlines or control characters), optionally matching a pattern. */
export function requireText(
  field: string,
  value: string,
  pattern?: { regex: RegExp; description: string },
): string {
  if (typeof value !== "string" || value.length === 0 || CONTROL_CHARACTERS.test(value)) {
    throw DomainInputError.of(field, value, "must be non-empty text without control characters");
  }
  if (pattern && !pattern.regex.test(value)) {
    throw DomainInputError.of(field, value, `must be ${pattern.description}`);
  }
  return value;
}
