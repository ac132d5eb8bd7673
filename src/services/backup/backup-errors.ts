import { AgentError } from "../../errors.js";

/** A backup could not be made or published (gateway, relay, store). Messages name the step and the fix. */
export class BackupError extends AgentError {}

/**
 * A backup was found but refused: tampered, truncated, signed by another wallet, made by another agent,
 * or older than what the chain shows. Nothing is written when this is thrown.
 */
export class BackupRefusedError extends AgentError {}

/** No backup of this agent could be found on the relays or the gateway. */
export class BackupNotFoundError extends AgentError {}
