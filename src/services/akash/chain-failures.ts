import { SDKError, SDKErrorCode } from "@akashnetwork/chain-sdk";
import { EffectError, type FailureKind } from "../../domain/effect-failure.js";

/**
 * How a chain rejection becomes the `kind` a machine branches on.
 *
 * A rejection reaches us in three shapes: a failed DeliverTx or CheckTx carries `codespace` + `code`
 * + log; a failed gas simulation (always first) carries only text, `Query failed with (6): rpc error:
 * code = Unknown desc = failed to execute message; message index: 0: <error> With gas wanted: …`.
 * Registered errors keep their description in the text, so the simulation text is matched against
 * the same table by description (the longest description found wins; case matters: deployment 20 is
 * "Deposit invalid", market 28 "deposit invalid").
 *
 * | codespace  | codes                                                           | kind                 |
 * |------------|-----------------------------------------------------------------|----------------------|
 * | sdk        | 5 insufficient funds                                            | insufficient_funds   |
 * | sdk        | 11 out of gas, 19 tx in mempool cache, 30 timeout height, 32 sequence mismatch | retryable |
 * | sdk        | 2 tx parse, 3 invalid sequence, 4 unauthorized (signature/chain id), 7, 8, 10, 12, 13 insufficient fee, 18 | fatal |
 * | sdk        | 38 not found: "fee-grant not found" (a child's fee allowance is gone) | insufficient_funds |
 * | feegrant   | 2 fee limit exceeded, 3 fee allowance expired                   | insufficient_funds   |
 * | market     | 28 deposit invalid with "insufficient" in the log               | insufficient_funds   |
 * | market     | 6, 9, 11, 12 bid not open, 13 order not open, 15, 16, 17, 18, 24 order closed | bid_gone |
 * | market     | 7, 10, 20 (lease unknown / not active), 28 otherwise, others    | fatal                |
 * | deployment | all (3 exists, 4 not found, 5 closed, 20 deposit, 24 price …)   | fatal                |
 * | escrow     | all (2 account closed, 3 not found, 4 overdrawn, 16 invalid deposit …) | fatal         |
 * | bme        | 5 oracle unhealthy, 6 circuit breaker, 7 vault short, 12 price zero, 14/15 mint/burn failed | retryable |
 * | bme        | 3, 8, 9, 16, 17 (invalid input)                                 | fatal                |
 * | anything else the chain rejects                                              || fatal                |
 * | no chain answer: HTTP ≥ 500, refused/reset connections, timeouts, gRPC unavailable/deadline/internal || retryable |
 *
 * Before a rejection is reported, the tx executor looks on chain again: a close whose target is
 * already closed, or a create whose object exists, is success, whatever the error said.
 */

interface KnownError {
  readonly codespace: string;
  readonly code: number;
  readonly desc: string;
  readonly kind: FailureKind | ((log: string) => FailureKind);
}

const insufficientOrFatal = (log: string): FailureKind =>
  /insufficient/i.test(log) ? "insufficient_funds" : "fatal";

const feeGrantOrFatal = (log: string): FailureKind =>
  /fee-grant not found/.test(log) ? "insufficient_funds" : "fatal";

const KNOWN_ERRORS: readonly KnownError[] = [
  { codespace: "sdk", code: 2, desc: "tx parse error", kind: "fatal" },
  { codespace: "sdk", code: 3, desc: "invalid sequence", kind: "fatal" },
  { codespace: "sdk", code: 4, desc: "unauthorized", kind: "fatal" },
  { codespace: "sdk", code: 5, desc: "insufficient funds", kind: "insufficient_funds" },
  { codespace: "sdk", code: 7, desc: "invalid address", kind: "fatal" },
  { codespace: "sdk", code: 8, desc: "invalid pubkey", kind: "fatal" },
  { codespace: "sdk", code: 10, desc: "invalid coins", kind: "fatal" },
  { codespace: "sdk", code: 11, desc: "out of gas", kind: "retryable" },
  { codespace: "sdk", code: 12, desc: "memo too large", kind: "fatal" },
  { codespace: "sdk", code: 13, desc: "insufficient fee", kind: "fatal" },
  { codespace: "sdk", code: 19, desc: "tx already in mempool", kind: "retryable" },
  { codespace: "sdk", code: 30, desc: "tx timeout height", kind: "retryable" },
  { codespace: "sdk", code: 32, desc: "incorrect account sequence", kind: "retryable" },
  // A child's fee through its parent's feegrant (ante handler): no allowance left is no money left.
  { codespace: "sdk", code: 38, desc: "not found", kind: feeGrantOrFatal },
  { codespace: "feegrant", code: 2, desc: "fee limit exceeded", kind: "insufficient_funds" },
  { codespace: "feegrant", code: 3, desc: "fee allowance expired", kind: "insufficient_funds" },

  { codespace: "deployment", code: 3, desc: "Deployment exists", kind: "fatal" },
  { codespace: "deployment", code: 4, desc: "Deployment not found", kind: "fatal" },
  { codespace: "deployment", code: 5, desc: "Deployment closed", kind: "fatal" },
  { codespace: "deployment", code: 7, desc: "Invalid groups", kind: "fatal" },
  { codespace: "deployment", code: 9, desc: "Invalid: empty hash", kind: "fatal" },
  { codespace: "deployment", code: 10, desc: "Invalid: deployment hash", kind: "fatal" },
  { codespace: "deployment", code: 14, desc: "Group not found", kind: "fatal" },
  { codespace: "deployment", code: 15, desc: "Group already closed", kind: "fatal" },
  { codespace: "deployment", code: 17, desc: "Group paused", kind: "fatal" },
  { codespace: "deployment", code: 18, desc: "Group not open", kind: "fatal" },
  { codespace: "deployment", code: 20, desc: "Deposit invalid", kind: "fatal" },
  { codespace: "deployment", code: 24, desc: "invalid price", kind: "fatal" },
  { codespace: "deployment", code: 25, desc: "duplicate group name", kind: "fatal" },

  { codespace: "market", code: 6, desc: "unknown bid", kind: "bid_gone" },
  { codespace: "market", code: 7, desc: "unknown lease", kind: "fatal" },
  { codespace: "market", code: 9, desc: "unknown order for bid", kind: "bid_gone" },
  { codespace: "market", code: 10, desc: "lease not active", kind: "fatal" },
  { codespace: "market", code: 11, desc: "bid not active", kind: "bid_gone" },
  { codespace: "market", code: 12, desc: "bid not open", kind: "bid_gone" },
  { codespace: "market", code: 13, desc: "bid: order not open", kind: "bid_gone" },
  { codespace: "market", code: 15, desc: "invalid order: order not found", kind: "bid_gone" },
  { codespace: "market", code: 16, desc: "group not found", kind: "bid_gone" },
  { codespace: "market", code: 17, desc: "group not open", kind: "bid_gone" },
  { codespace: "market", code: 18, desc: "invalid bid: bid not found", kind: "bid_gone" },
  { codespace: "market", code: 20, desc: "invalid lease: lease not found", kind: "fatal" },
  { codespace: "market", code: 24, desc: "order closed", kind: "bid_gone" },
  { codespace: "market", code: 28, desc: "deposit invalid", kind: insufficientOrFatal },

  { codespace: "escrow", code: 2, desc: "account closed", kind: "fatal" },
  { codespace: "escrow", code: 3, desc: "account not found", kind: "fatal" },
  { codespace: "escrow", code: 4, desc: "account overdrawn", kind: "fatal" },
  { codespace: "escrow", code: 5, desc: "invalid denomination", kind: "fatal" },
  { codespace: "escrow", code: 9, desc: "payment rate zero", kind: "fatal" },
  { codespace: "escrow", code: 16, desc: "invalid deposit", kind: "fatal" },

  { codespace: "bme", code: 3, desc: "unauthorized", kind: "fatal" },
  { codespace: "bme", code: 5, desc: "oracle is unhealthy", kind: "retryable" },
  { codespace: "bme", code: 6, desc: "circuit breaker is active", kind: "retryable" },
  { codespace: "bme", code: 7, desc: "insufficient vault funds", kind: "retryable" },
  { codespace: "bme", code: 8, desc: "invalid amount", kind: "fatal" },
  { codespace: "bme", code: 9, desc: "invalid denomination", kind: "fatal" },
  { codespace: "bme", code: 12, desc: "oracle price is zero", kind: "retryable" },
  { codespace: "bme", code: 14, desc: "failed to mint tokens", kind: "retryable" },
  { codespace: "bme", code: 15, desc: "failed to burn tokens", kind: "retryable" },
  { codespace: "bme", code: 16, desc: "result value is less then precision of the denom", kind: "fatal" },
  { codespace: "bme", code: 17, desc: "minimum mint amount is not met", kind: "fatal" },
];

/** A rejection by the chain: a non-zero code from CheckTx/DeliverTx, or a failed simulation's text. */
export interface ChainRejection {
  readonly codespace?: string;
  readonly code: number;
  readonly log: string;
}

const kindOf = (known: KnownError, log: string): FailureKind =>
  typeof known.kind === "function" ? known.kind(log) : known.kind;

/** The kind of a rejection that carries its codespace and code (CheckTx, DeliverTx). */
export function classifyRejection(rejection: ChainRejection): FailureKind {
  if (rejection.codespace) {
    const known = KNOWN_ERRORS.find((e) => e.codespace === rejection.codespace && e.code === rejection.code);
    if (known) return kindOf(known, rejection.log);
  }
  return classifyRejectionText(rejection.log);
}

/** The kind of a rejection known only by its text (a failed simulation). */
export function classifyRejectionText(log: string): FailureKind {
  let best: KnownError | undefined;
  for (const known of KNOWN_ERRORS) {
    if (log.includes(known.desc) && (!best || known.desc.length > best.desc.length)) best = known;
  }
  return best ? kindOf(best, log) : "fatal";
}

const SIMULATION_FAILURE = /Query failed with \((\d+)\): ([\s\S]*)$/;
const ACCOUNT_MISSING = /Account '[^']*' does not exist on chain/;

/**
 * Whether a thrown error is the chain refusing (as opposed to not answering). cosmjs throws
 * `Query failed with (N): …` for a failed abci_query (gas simulation included).
 */
export function chainRejectionOf(error: unknown): ChainRejection | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { code, codespace, log } = error as { code?: unknown; codespace?: unknown; log?: unknown };
  if (typeof code === "number" && typeof codespace === "string" && code !== 0) {
    // cosmjs BroadcastTxError
    return { code, codespace, log: typeof log === "string" ? log : "" };
  }
  const message = error instanceof Error ? error.message : "";
  const match = SIMULATION_FAILURE.exec(message);
  if (match) return { code: Number(match[1]), log: match[2] ?? "" };
  return undefined;
}

const RETRYABLE_GRPC = new Set<number>([
  SDKErrorCode.Canceled,
  SDKErrorCode.Unknown,
  SDKErrorCode.DeadlineExceeded,
  SDKErrorCode.ResourceExhausted,
  SDKErrorCode.Aborted,
  SDKErrorCode.Internal,
  SDKErrorCode.Unavailable,
]);

/** Whether a gRPC query error is the object not existing (the caller answers null). */
export function isNotFound(error: unknown): boolean {
  return error instanceof SDKError && error.code === SDKErrorCode.NotFound;
}

/**
 * Any error from talking to the chain as an EffectError: chain rejections by the table above, gRPC
 * errors by status, and everything else (HTTP status, refused connection, timeout) as retryable.
 * `what` says what was being done ("create_lease", "query bids of 1234").
 */
export function toChainEffectError(error: unknown, what: string): EffectError {
  if (error instanceof EffectError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (ACCOUNT_MISSING.test(message)) {
    return new EffectError("insufficient_funds", `${what}: the agent's account has never been funded`, {
      cause: error,
    });
  }
  const rejection = chainRejectionOf(error);
  if (rejection) {
    return new EffectError(classifyRejection(rejection), `${what}: rejected by the chain: ${rejection.log}`, {
      cause: error,
    });
  }
  if (error instanceof SDKError) {
    const kind: FailureKind = RETRYABLE_GRPC.has(error.code) ? "retryable" : "fatal";
    return new EffectError(kind, `${what}: ${message}`, { cause: error });
  }
  return new EffectError("retryable", `${what}: ${describeTransportError(error)}`, { cause: error });
}

/** A transport error's message with its cause (fetch hides "ECONNREFUSED" in `cause`). */
export function describeTransportError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause && !error.message.includes(cause) ? `${error.message} (${cause})` : error.message;
}
