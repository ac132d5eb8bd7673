/**
 * How an effect (a promise actor's I/O) failed, as JSON data a machine can keep in context and
 * branch on. Actors throw errors carrying a `kind`; anything else counts as `retryable`.
 */
export const failureKinds = [
  /** Network, RPC or timeout trouble: try the same step again after a backoff. */
  "retryable",
  /** The provider misbehaved (rejected the manifest, never started the services, dropped the lease). */
  "provider",
  /** The bid or order is no longer open: collect bids again. */
  "bid_gone",
  /** Not enough funds for the step. */
  "insufficient_funds",
  /** A spending cap refused the step. */
  "cap_exceeded",
  /** Retrying cannot help (invalid input, mismatched manifest version, unknown chain). */
  "fatal",
] as const;

export type FailureKind = (typeof failureKinds)[number];

export interface EffectFailure {
  kind: FailureKind;
  message: string;
}

/** An error an actor throws to tell the machine how its effect failed. */
export class EffectError extends Error {
  readonly kind: FailureKind;

  constructor(kind: FailureKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EffectError";
    this.kind = kind;
  }
}

function isFailureKind(value: unknown): value is FailureKind {
  return typeof value === "string" && (failureKinds as readonly string[]).includes(value);
}

/** Reads an actor's error event payload into plain data (a message never carries a stack). */
export function toEffectFailure(error: unknown): EffectFailure {
  if (typeof error === "object" && error !== null) {
    const { kind, message } = error as { kind?: unknown; message?: unknown };
    return {
      kind: isFailureKind(kind) ? kind : "retryable",
      message: typeof message === "string" ? message : String(error),
    };
  }
  return { kind: "retryable", message: String(error) };
}
