import { AgentError } from "../../errors.js";

/** The node at the configured endpoint serves another chain than the one configured. */
export class ChainIdMismatchError extends AgentError {
  readonly expected: string;
  readonly actual: string;

  constructor(expected: string, actual: string, endpoint: string) {
    super(
      `chain id mismatch: configured chainId is "${expected}" but the node at ${endpoint} serves "${actual}"; ` +
        `set chainId to "${actual}" or point the endpoints at a "${expected}" node`,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/** An Akash endpoint (RPC, gRPC, devnet control API) could not be reached or answered nonsense. */
export class AkashEndpointError extends AgentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 1, options);
  }
}
