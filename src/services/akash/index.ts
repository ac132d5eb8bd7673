/** Akash: the chain, provider gateways and the Console API. The only place that knows chain-sdk and cosmjs. */
export { type AkashAccount, AkashAccounts, type AkashAccountsOptions } from "./akash-accounts.js";

export {
  type AkashEndpoints,
  endpointsFromDevnet,
  type ResolvedDevnetEndpoints,
  resolveDevnetEndpoints,
} from "./akash-endpoints.js";
export { AkashEndpointError, ChainIdMismatchError } from "./akash-errors.js";
export type {
  AkashChain,
  ChainMessage,
  CloseDeploymentResult,
  CreateDeploymentRequest,
  ProviderDirectory,
  ProviderGateway,
  SubmitRequest,
  TxRequest,
  TxResult,
} from "./akash-service.js";
export type {
  Balances,
  BidInfo,
  BidState,
  ConsoleProvider,
  DeploymentInfo,
  DeploymentState,
  EscrowInfo,
  GroupInfo,
  GroupState,
  LeaseInfo,
  LeaseKey,
  LeaseState,
  LeaseStatus,
  ProviderAttribute,
  ProviderInfo,
  TxOutcome,
} from "./akash-types.js";
export { classifyRejection, classifyRejectionText } from "./chain-failures.js";
export { leaseStateOf } from "./chain-records.js";
export type { ChildGrants, ChildGrantsState, GrantChildBudgetRequest } from "./child-grants.js";
export { type ChildGrantsReader, openChildGrantsReader } from "./child-grants-reader.js";
export {
  type AkashConnection,
  type ConnectAkashInput,
  type ConnectAkashOptions,
  connectAkash,
} from "./connect-akash.js";
export {
  DEPOSIT_AUTHORIZATION_MSG_TYPE_URL,
  DEPOSIT_AUTHORIZATION_TYPE_URL,
  type DecodedDepositAuthorization,
  type DepositAuthorizationSpec,
  type DepositLimit,
  type DepositScope,
  decodeDepositAuthorization,
  depositAuthorizationAny,
  encodeDepositAuthorization,
} from "./deposit-authorization.js";
export { escrowRefundOf, moduleAccountAddress, type TxEvent } from "./escrow-refunds.js";
export { isIdleGoawayError } from "./idle-goaway.js";
export { createIngressResolver, type IngressResolver, type IngressResolverOptions } from "./ingress-dns.js";
export { ingressHostOf, ingressHostsOf } from "./ingress-hosts.js";
export { manifestOfSdl } from "./sdl-manifest.js";
export type { TxStep, TxStepHook } from "./tx-executor.js";
