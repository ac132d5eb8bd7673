import type { ChainNodeSDK } from "@akashnetwork/chain-sdk";
import { BasicAllowance, PeriodicAllowance } from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";
import { toChainEffectError } from "./chain-failures.js";
import { DEPOSIT_AUTHORIZATION_TYPE_URL, decodeDepositAuthorization } from "./deposit-authorization.js";
import type { EndpointFailover } from "./endpoint-failover.js";
import { BASIC_ALLOWANCE_TYPE_URL } from "./grant-messages.js";

/** The escrow deposit grant from a parent to a child, as the chain shows it now (expired grants are not shown). */
export interface DepositGrantState {
  /** What the child may still draw, uact (an exhausted grant stays on chain with "0"). */
  remainingUact: string;
  /** When the grant expires (ms since the epoch), or null if it never does. */
  expiresAt: number | null;
}

/** The feegrant allowance from a parent to a child. */
export interface FeeAllowanceState {
  /** What the allowance may still pay in fees, uakt; null when it has no limit in uakt. */
  remainingUakt: string | null;
  expiresAt: number | null;
}

const PERIODIC_ALLOWANCE_TYPE_URL = `/${PeriodicAllowance.$type}`;
const PAGE_LIMIT = 100;

const msOf = (date: Date | undefined): number | null => (date ? date.getTime() : null);

/**
 * Reads authz deposit grants and feegrant allowances over gRPC. Both are listed rather than asked for
 * one by one, so a grant that is not there is an empty answer and never an error to tell apart.
 */
export class GrantQueries {
  constructor(private readonly endpoints: EndpointFailover<ChainNodeSDK>) {}

  private async run<T>(what: string, call: (sdk: ChainNodeSDK) => Promise<T>): Promise<T> {
    try {
      return await this.endpoints.call((sdk) => call(sdk));
    } catch (error) {
      throw toChainEffectError(error, what);
    }
  }

  depositGrant(granter: string, grantee: string): Promise<DepositGrantState | null> {
    return this.run(`query the deposit grant from ${granter} to ${grantee}`, async (sdk) => {
      const response = await sdk.cosmos.authz.v1beta1.getGrants({
        granter,
        grantee,
        msgTypeUrl: "",
        pagination: { limit: PAGE_LIMIT },
      });
      const grant = response.grants.find((g) => g.authorization?.typeUrl === DEPOSIT_AUTHORIZATION_TYPE_URL);
      if (!grant?.authorization) return null;
      const decoded = decodeDepositAuthorization(grant.authorization.value);
      const uact = decoded.spendLimits.find((limit) => limit.denom === "uact")?.amount ?? 0n;
      return { remainingUact: uact.toString(), expiresAt: msOf(grant.expiration) };
    });
  }

  feeAllowance(granter: string, grantee: string): Promise<FeeAllowanceState | null> {
    return this.run(`query the fee allowance from ${granter} to ${grantee}`, async (sdk) => {
      const response = await sdk.cosmos.feegrant.v1beta1.getAllowances({
        grantee,
        pagination: { limit: PAGE_LIMIT },
      });
      const found = response.allowances.find((a) => a.granter === granter)?.allowance;
      if (!found) return null;
      let basic: BasicAllowance | undefined;
      if (found.typeUrl === BASIC_ALLOWANCE_TYPE_URL) basic = BasicAllowance.decode(found.value);
      else if (found.typeUrl === PERIODIC_ALLOWANCE_TYPE_URL)
        basic = PeriodicAllowance.decode(found.value).basic;
      if (!basic) return { remainingUakt: null, expiresAt: null };
      const uakt = basic.spendLimit.find((coin) => coin.denom === "uakt");
      return {
        remainingUakt: basic.spendLimit.length === 0 ? null : (uakt?.amount ?? "0"),
        expiresAt: msOf(basic.expiration),
      };
    });
  }
}
