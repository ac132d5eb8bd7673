/** The Cronos node refused or could not answer; the message names what was asked. */
export class CronosRpcError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CronosRpcError";
  }
}
