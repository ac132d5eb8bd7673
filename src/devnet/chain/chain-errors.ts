/** gRPC status codes (google.rpc.Code). */
export const GrpcCode = {
  Ok: 0,
  Unknown: 2,
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  AlreadyExists: 6,
  PermissionDenied: 7,
  FailedPrecondition: 9,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
  Unauthenticated: 16,
} as const;
export type GrpcCode = (typeof GrpcCode)[keyof typeof GrpcCode];

/**
 * An error registered by a chain module (cosmossdk.io/errors): codespace + code + description, and the
 * gRPC code it maps to. `message` is the full text a node puts in a tx log.
 */
export class ChainError extends Error {
  readonly codespace: string;
  readonly code: number;
  readonly grpcCode: GrpcCode;

  constructor(codespace: string, code: number, message: string, grpcCode: GrpcCode = GrpcCode.Unknown) {
    super(message);
    this.name = "ChainError";
    this.codespace = codespace;
    this.code = code;
    this.grpcCode = grpcCode;
  }
}

/** A registered error kind; `wrap` mirrors errors.Wrap ("text: desc"), `with` mirrors fmt.Errorf("%w: text"). */
export interface ErrorKind {
  readonly codespace: string;
  readonly code: number;
  readonly desc: string;
  (): ChainError;
  wrap(text: string): ChainError;
  with(text: string): ChainError;
}

function kind(
  codespace: string,
  code: number,
  desc: string,
  grpcCode: GrpcCode = GrpcCode.Unknown,
): ErrorKind {
  const make = (message: string) => new ChainError(codespace, code, message, grpcCode);
  const fn = (() => make(desc)) as ErrorKind;
  Object.assign(fn, {
    codespace,
    code,
    desc,
    wrap: (text: string) => make(`${text}: ${desc}`),
    with: (text: string) => make(`${desc}: ${text}`),
  });
  return fn;
}

/**
 * An error wrapped with Go's fmt.Errorf("%w: …") instead of errors.Wrap: cosmossdk.io/errors' ABCIInfo only
 * walks Cause(), so the tx result loses the code and carries codespace "undefined", code 1 (the text stays).
 */
export function fmtWrapped(kind: ErrorKind, text: string): ChainError {
  return new ChainError("undefined", 1, `${kind.desc}: ${text}`);
}

export const SdkErrors = {
  txDecode: kind("sdk", 2, "tx parse error"),
  invalidSequence: kind("sdk", 3, "invalid sequence"),
  unauthorized: kind("sdk", 4, "unauthorized", GrpcCode.Unauthenticated),
  insufficientFunds: kind("sdk", 5, "insufficient funds"),
  unknownRequest: kind("sdk", 6, "unknown request"),
  invalidType: kind("sdk", 29, "invalid type"),
  invalidAddress: kind("sdk", 7, "invalid address", GrpcCode.InvalidArgument),
  invalidPubKey: kind("sdk", 8, "invalid pubkey"),
  unknownAddress: kind("sdk", 9, "unknown address", GrpcCode.NotFound),
  invalidCoins: kind("sdk", 10, "invalid coins"),
  outOfGas: kind("sdk", 11, "out of gas"),
  memoTooLarge: kind("sdk", 12, "memo too large"),
  insufficientFee: kind("sdk", 13, "insufficient fee"),
  noSignatures: kind("sdk", 15, "no signatures supplied"),
  invalidRequest: kind("sdk", 18, "invalid request", GrpcCode.InvalidArgument),
  txInMempoolCache: kind("sdk", 19, "tx already in mempool"),
  keyNotFound: kind("sdk", 22, "key not found", GrpcCode.NotFound),
  txTimeoutHeight: kind("sdk", 30, "tx timeout height"),
  wrongSequence: kind("sdk", 32, "incorrect account sequence"),
  notSupported: kind("sdk", 37, "feature not supported"),
  notFound: kind("sdk", 38, "not found", GrpcCode.NotFound),
};

export const DeploymentErrors = {
  invalidRequest: kind("deployment", 2, "Invalid request", GrpcCode.InvalidArgument),
  exists: kind("deployment", 3, "Deployment exists", GrpcCode.AlreadyExists),
  notFound: kind("deployment", 4, "Deployment not found", GrpcCode.NotFound),
  closed: kind("deployment", 5, "Deployment closed", GrpcCode.FailedPrecondition),
  invalidGroups: kind("deployment", 7, "Invalid groups", GrpcCode.InvalidArgument),
  invalidId: kind("deployment", 8, "Invalid: deployment id", GrpcCode.InvalidArgument),
  emptyHash: kind("deployment", 9, "Invalid: empty hash", GrpcCode.InvalidArgument),
  invalidHash: kind("deployment", 10, "Invalid: deployment hash", GrpcCode.InvalidArgument),
  groupNotFound: kind("deployment", 14, "Group not found", GrpcCode.NotFound),
  groupClosed: kind("deployment", 15, "Group already closed", GrpcCode.FailedPrecondition),
  groupOpen: kind("deployment", 16, "Group open", GrpcCode.FailedPrecondition),
  groupPaused: kind("deployment", 17, "Group paused", GrpcCode.FailedPrecondition),
  groupNotOpen: kind("deployment", 18, "Group not open", GrpcCode.FailedPrecondition),
  invalidDeposit: kind("deployment", 20, "Deposit invalid", GrpcCode.InvalidArgument),
  invalidPrice: kind("deployment", 24, "invalid price", GrpcCode.InvalidArgument),
  duplicateGroupName: kind("deployment", 25, "duplicate group name", GrpcCode.InvalidArgument),
};

export const MarketErrors = {
  sameAccount: kind("market", 2, "owner and provider are the same account"),
  attributeMismatch: kind("market", 5, "attribute mismatch"),
  unknownBid: kind("market", 6, "unknown bid", GrpcCode.NotFound),
  unknownLease: kind("market", 7, "unknown lease", GrpcCode.NotFound),
  unknownLeaseForBid: kind("market", 8, "unknown lease for bid", GrpcCode.NotFound),
  unknownOrderForBid: kind("market", 9, "unknown order for bid", GrpcCode.NotFound),
  leaseNotActive: kind("market", 10, "lease not active", GrpcCode.FailedPrecondition),
  bidNotActive: kind("market", 11, "bid not active", GrpcCode.FailedPrecondition),
  bidNotOpen: kind("market", 12, "bid not open", GrpcCode.FailedPrecondition),
  orderNotOpen: kind("market", 13, "bid: order not open", GrpcCode.FailedPrecondition),
  orderNotFound: kind("market", 15, "invalid order: order not found", GrpcCode.NotFound),
  groupNotFound: kind("market", 16, "group not found", GrpcCode.NotFound),
  groupNotOpen: kind("market", 17, "group not open", GrpcCode.FailedPrecondition),
  bidNotFound: kind("market", 18, "invalid bid: bid not found", GrpcCode.NotFound),
  leaseNotFound: kind("market", 20, "invalid lease: lease not found", GrpcCode.NotFound),
  bidExists: kind("market", 21, "invalid bid: bid exists from provider", GrpcCode.AlreadyExists),
  bidInvalidPrice: kind("market", 22, "bid price is invalid", GrpcCode.InvalidArgument),
  orderActive: kind("market", 23, "order active", GrpcCode.FailedPrecondition),
  orderClosed: kind("market", 24, "order closed", GrpcCode.FailedPrecondition),
  invalidDeposit: kind("market", 28, "deposit invalid", GrpcCode.InvalidArgument),
  unknownProvider: kind("market", 30, "unknown provider", GrpcCode.NotFound),
  invalidBid: kind("market", 31, "invalid bid", GrpcCode.InvalidArgument),
  capabilitiesMismatch: kind("market", 32, "capabilities mismatch"),
  invalidLeaseClosedReason: kind("market", 33, "invalid lease closed reason", GrpcCode.InvalidArgument),
};

export const EscrowErrors = {
  accountClosed: kind("escrow", 2, "account closed", GrpcCode.FailedPrecondition),
  accountNotFound: kind("escrow", 3, "account not found", GrpcCode.NotFound),
  accountOverdrawn: kind("escrow", 4, "account overdrawn", GrpcCode.FailedPrecondition),
  invalidDenomination: kind("escrow", 5, "invalid denomination", GrpcCode.InvalidArgument),
  paymentClosed: kind("escrow", 7, "payment closed", GrpcCode.FailedPrecondition),
  paymentNotFound: kind("escrow", 8, "payment not found", GrpcCode.NotFound),
  paymentRateZero: kind("escrow", 9, "payment rate zero", GrpcCode.InvalidArgument),
  invalidId: kind("escrow", 12, "invalid ID", GrpcCode.InvalidArgument),
  unauthorizedDepositScope: kind("escrow", 15, "unauthorized deposit scope", GrpcCode.PermissionDenied),
  invalidDeposit: kind("escrow", 16, "invalid deposit", GrpcCode.InvalidArgument),
  invalidAuthzScope: kind("escrow", 17, "invalid authz scope", GrpcCode.InvalidArgument),
};

export const ProviderErrors = {
  invalidHostUri: kind("provider", 1, "invalid provider: invalid host uri", GrpcCode.InvalidArgument),
  notAbsoluteHostUri: kind(
    "provider",
    2,
    "invalid provider: not absolute host uri",
    GrpcCode.InvalidArgument,
  ),
  notFound: kind("provider", 3, "invalid provider: address not found", GrpcCode.NotFound),
  exists: kind("provider", 4, "invalid provider: already exists", GrpcCode.AlreadyExists),
  attributes: kind("provider", 6, "attribute specification error", GrpcCode.InvalidArgument),
};

export const AuditErrors = {
  providerNotFound: kind("audit", 1, "provider not found", GrpcCode.NotFound),
  invalidAddress: kind("audit", 2, "invalid address", GrpcCode.InvalidArgument),
  attributeNotFound: kind("audit", 3, "attribute not found", GrpcCode.NotFound),
};

export const CertErrors = {
  exists: kind("cert", 2, "certificate already exists", GrpcCode.AlreadyExists),
  invalidState: kind("cert", 3, "certificate in invalid state", GrpcCode.FailedPrecondition),
  notFound: kind("cert", 4, "certificate not found", GrpcCode.NotFound),
  invalidPem: kind("cert", 5, "certificate invalid pem", GrpcCode.InvalidArgument),
  invalidPubKey: kind("cert", 6, "certificate invalid public key", GrpcCode.InvalidArgument),
  invalidCertificate: kind("cert", 9, "invalid certificate", GrpcCode.InvalidArgument),
  invalidSerial: kind("cert", 10, "invalid serial number", GrpcCode.InvalidArgument),
};

export const BmeErrors = {
  unauthorized: kind("bme", 3, "unauthorized", GrpcCode.PermissionDenied),
  oracleUnhealthy: kind("bme", 5, "oracle is unhealthy"),
  circuitBreaker: kind("bme", 6, "circuit breaker is active"),
  invalidAmount: kind("bme", 8, "invalid amount", GrpcCode.InvalidArgument),
  invalidDenom: kind("bme", 9, "invalid denomination", GrpcCode.InvalidArgument),
};

export const AuthzErrors = {
  noAuthorizationFound: kind("authz", 2, "authorization not found", GrpcCode.NotFound),
  invalidExpirationTime: kind(
    "authz",
    3,
    "expiration time of authorization should be more than current time",
  ),
  unknownAuthorization: kind("authz", 4, "unknown authorization type"),
  authorizationExpired: kind("authz", 6, "authorization expired"),
  granteeIsGranter: kind("authz", 7, "grantee and granter should be different", GrpcCode.InvalidArgument),
  numOfSigners: kind("authz", 9, "authorization can be given to msg with only one signer"),
};

export const FeegrantErrors = {
  feeLimitExceeded: kind("feegrant", 2, "fee limit exceeded"),
  feeLimitExpired: kind("feegrant", 3, "fee allowance expired"),
  invalidDuration: kind("feegrant", 4, "invalid duration"),
  noAllowance: kind("feegrant", 5, "no allowance"),
  noMessages: kind("feegrant", 6, "allowed messages are empty"),
  messageNotAllowed: kind("feegrant", 7, "message not allowed"),
};

export const BankErrors = {
  sendDisabled: kind("bank", 5, "send transactions are disabled", GrpcCode.FailedPrecondition),
};

/** A plain gRPC status error, as returned by status.Error(code, msg) in a query server. */
export class QueryError extends Error {
  readonly grpcCode: GrpcCode;

  constructor(grpcCode: GrpcCode, message: string) {
    super(message);
    this.name = "QueryError";
    this.grpcCode = grpcCode;
  }
}

/** The gRPC status text a node's query server sends for an error (registered errors carry their codespace). */
export function grpcStatusOf(error: unknown): { code: GrpcCode; message: string } {
  if (error instanceof QueryError) return { code: error.grpcCode, message: error.message };
  if (error instanceof ChainError) {
    return {
      code: error.grpcCode,
      message: `codespace ${error.codespace} code ${error.code}: ${error.message}`,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: GrpcCode.Internal, message };
}
