import { AgentError } from "../../errors.js";

/** The HTTP statuses an instance refuses an activation with. */
export type ActivationRefusalStatus = 400 | 401 | 403 | 409 | 413;

/**
 * An activation refused by the instance: bad or replayed signature, a package for another agent or
 * another nonce, a package that does not decrypt, a body too large. The instance answers `status` with
 * this message as its one-line JSON error; the leader rethrows what it was answered. Messages never
 * hold a secret.
 */
export class ActivationRefusedError extends AgentError {
  readonly status: ActivationRefusalStatus;

  constructor(status: ActivationRefusalStatus, message: string, options?: { cause?: unknown }) {
    super(message, 1, options);
    this.status = status;
  }
}

/**
 * The leader could not activate an instance for a reason other than a refusal: the instance is
 * unreachable or slow, its offer is for another agent or nonce, or its acknowledgement does not
 * check out. Messages name the URL and the reason.
 */
export class ActivationFailedError extends AgentError {}

/** The instance's activation record file cannot be read or is damaged. */
export class ActivationRecordError extends AgentError {}
