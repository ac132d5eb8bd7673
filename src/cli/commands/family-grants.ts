import { createChainNodeSDK } from "@akashnetwork/chain-sdk";
import type { AgentConfig } from "../../config/index.js";
import { resolveDevnetEndpoints } from "../../services/akash/akash-endpoints.js";
import {
  DEPOSIT_AUTHORIZATION_TYPE_URL,
  decodeDepositAuthorization,
} from "../../services/akash/deposit-authorization.js";

/** What is left of a child's escrow DepositAuthorization on chain. */
export interface DepositGrantLeft {
  readonly remainingUact: bigint;
  readonly expiresAt: Date | null;
}

/** Reads a child's deposit grant; null when the child holds none (never granted, revoked or expired). */
export type DepositGrantReader = (grantee: string) => Promise<DepositGrantLeft | null>;

const QUERY_TIMEOUT_MS = 10_000;

/**
 * The `family` command's read of the grants, straight from the authz GranteeGrants query (only the
 * escrow DepositAuthorizations, only from `granter` when it is known). It stands alone so the grants
 * helper's `childGrants` can replace it.
 */
export async function depositGrantReader(
  config: AgentConfig,
  granter: string | null,
): Promise<DepositGrantReader> {
  const grpc =
    config.network === "devnet"
      ? (await resolveDevnetEndpoints(devnetUrlOrFail(config))).grpc
      : config.networks[config.network].grpc;
  const sdk = createChainNodeSDK({
    query: { baseUrl: grpc, transportOptions: { defaultTimeoutMs: QUERY_TIMEOUT_MS } },
  });
  return async (grantee) => {
    const { grants } = await sdk.cosmos.authz.v1beta1.getGranteeGrants({
      grantee,
      pagination: { key: new Uint8Array(), offset: 0n, limit: 100n, countTotal: false, reverse: false },
    });
    const deposits = grants.filter(
      (grant) =>
        grant.authorization?.typeUrl === DEPOSIT_AUTHORIZATION_TYPE_URL &&
        (granter === null || grant.granter === granter),
    );
    if (deposits.length === 0) return null;
    let remainingUact = 0n;
    let expiresAt: Date | null = null;
    for (const grant of deposits) {
      const decoded = decodeDepositAuthorization(grant.authorization!.value);
      remainingUact += decoded.spendLimits.find((limit) => limit.denom === "uact")?.amount ?? 0n;
      if (grant.expiration && (expiresAt === null || grant.expiration < expiresAt))
        expiresAt = grant.expiration;
    }
    return { remainingUact, expiresAt };
  };
}

function devnetUrlOrFail(config: AgentConfig): string {
  if (config.devnet.url) return config.devnet.url;
  throw new Error(
    "on the devnet the chain is read through a running `akash-agent devnet`: pass --devnet-url with its control URL",
  );
}
