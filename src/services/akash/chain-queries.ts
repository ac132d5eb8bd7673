import type { ChainNodeSDK } from "@akashnetwork/chain-sdk";
import { EffectError } from "../../domain/effect-failure.js";
import type {
  AuditedProviderInfo,
  Balances,
  BidderRecord,
  BidInfo,
  DeploymentInfo,
  GroupInfo,
  LeaseInfo,
  LeaseKey,
  ProviderInfo,
} from "./akash-types.js";
import { isNotFound, toChainEffectError } from "./chain-failures.js";
import {
  bidderRecordOf,
  bidInfoOf,
  deploymentInfoOf,
  groupInfoOf,
  leaseInfoOf,
  providerInfoOf,
} from "./chain-records.js";
import type { EndpointFailover } from "./endpoint-failover.js";

const PAGE_LIMIT = 100;

interface Page<T> {
  items: T[];
  nextKey: Uint8Array | undefined;
}

/** Follows `pagination.next_key` until the node has no more. */
async function allPages<T>(fetchPage: (key: Uint8Array | undefined) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let key: Uint8Array | undefined;
  do {
    const page = await fetchPage(key);
    items.push(...page.items);
    key = page.nextKey && page.nextKey.length > 0 ? page.nextKey : undefined;
  } while (key);
  return items;
}

const nonNull = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

/**
 * The chain's state over gRPC through chain-sdk. Every failure is an EffectError (see
 * chain-failures.ts); a missing object is null, never an error.
 */
export class ChainQueries {
  /** One gRPC endpoint, or a primary with fallbacks (a query that cannot reach one goes to the next). */
  constructor(private readonly endpoints: EndpointFailover<ChainNodeSDK>) {}

  /** The endpoint queries go to now; a retried query reads it again after a switch. */
  private get sdk(): ChainNodeSDK {
    return this.endpoints.current.client;
  }

  private async run<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await this.endpoints.call(() => call());
    } catch (error) {
      throw toChainEffectError(error, what);
    }
  }

  private async runOrNull<T>(what: string, call: () => Promise<T>): Promise<T | null> {
    try {
      return await this.endpoints.call(() => call());
    } catch (error) {
      if (isNotFound(error)) return null;
      throw toChainEffectError(error, what);
    }
  }

  /** The network name (chain id) the gRPC endpoint's node reports. */
  nodeChainId(): Promise<string> {
    return this.run("query node info", async () => {
      const info = await this.sdk.cosmos.base.tendermint.v1beta1.getNodeInfo();
      return info.defaultNodeInfo?.network ?? "";
    });
  }

  balances(address: string): Promise<Balances> {
    return this.run(`query balances of ${address}`, async () => {
      const bank = this.sdk.cosmos.bank.v1beta1;
      const [uakt, uact] = await Promise.all([
        bank.getBalance({ address, denom: "uakt" }),
        bank.getBalance({ address, denom: "uact" }),
      ]);
      return { uakt: uakt.balance?.amount ?? "0", uact: uact.balance?.amount ?? "0" };
    });
  }

  deployment(owner: string, dseq: string): Promise<DeploymentInfo | null> {
    return this.runOrNull(`query deployment ${dseq}`, async () => {
      const response = await this.sdk.akash.deployment.v1beta4.getDeployment({ id: { owner, dseq } });
      return response.deployment ? deploymentInfoOf(response.deployment, response.escrowAccount) : null;
    });
  }

  /** The deployment's groups with their states; none when the deployment is not on chain. */
  async groups(owner: string, dseq: string): Promise<GroupInfo[]> {
    const groups = await this.runOrNull(`query groups of ${dseq}`, async () => {
      const response = await this.sdk.akash.deployment.v1beta4.getDeployment({ id: { owner, dseq } });
      return response.groups.map(groupInfoOf).filter(nonNull);
    });
    return groups ?? [];
  }

  deployments(owner: string, state: "active" | "closed"): Promise<DeploymentInfo[]> {
    return this.run(`query ${state} deployments`, async () => {
      const records = await allPages(async (key) => {
        const response = await this.sdk.akash.deployment.v1beta4.getDeployments({
          filters: { owner, state },
          pagination: key ? { key } : { limit: PAGE_LIMIT },
        });
        return { items: response.deployments, nextKey: response.pagination?.nextKey };
      });
      return records
        .map((r) => (r.deployment ? deploymentInfoOf(r.deployment, r.escrowAccount) : null))
        .filter(nonNull);
    });
  }

  bids(owner: string, dseq: string): Promise<BidInfo[]> {
    return this.run(`query bids of ${dseq}`, async () => {
      const records = await allPages(async (key) => {
        const response = await this.sdk.akash.market.v1beta5.getBids({
          filters: { owner, dseq },
          pagination: key ? { key } : { limit: PAGE_LIMIT },
        });
        return { items: response.bids, nextKey: response.pagination?.nextKey };
      });
      return records.map((r) => (r.bid ? bidInfoOf(r.bid) : null)).filter(nonNull);
    });
  }

  leases(owner: string, dseq: string): Promise<LeaseInfo[]> {
    return this.run(`query leases of ${dseq}`, async () => {
      const records = await allPages(async (key) => {
        const response = await this.sdk.akash.market.v1beta5.getLeases({
          filters: { owner, dseq },
          pagination: key ? { key } : { limit: PAGE_LIMIT },
        });
        return { items: response.leases, nextKey: response.pagination?.nextKey };
      });
      return records.map((r) => (r.lease ? leaseInfoOf(r.lease) : null)).filter(nonNull);
    });
  }

  lease(owner: string, lease: LeaseKey): Promise<LeaseInfo | null> {
    const { dseq, gseq, oseq, provider } = lease;
    return this.runOrNull(`query lease ${dseq}/${gseq}/${oseq}/${provider}`, async () => {
      const response = await this.sdk.akash.market.v1beta5.getLease({
        id: { owner, dseq, gseq, oseq, provider, bseq: 0 },
      });
      return response.lease ? leaseInfoOf(response.lease) : null;
    });
  }

  /**
   * Every provider registered on chain with its attributes and the attributes each auditor signed for
   * it (`akash.audit.v1` AllProvidersAttributes): what MsgCreateBid is checked against.
   */
  registeredProviders(): Promise<BidderRecord[]> {
    return this.run("query providers and their audited attributes", async () => {
      const [providers, audits] = await Promise.all([
        allPages(async (key) => {
          const response = await this.sdk.akash.provider.v1beta4.getProviders({
            pagination: key ? { key } : { limit: PAGE_LIMIT },
          });
          return { items: response.providers, nextKey: response.pagination?.nextKey };
        }),
        allPages(async (key) => {
          const response = await this.sdk.akash.audit.v1.getAllProvidersAttributes({
            pagination: key ? { key } : { limit: PAGE_LIMIT },
          });
          return { items: response.providers, nextKey: response.pagination?.nextKey };
        }),
      ]);
      return providers.map((provider) => bidderRecordOf(provider, audits));
    });
  }

  provider(address: string): Promise<ProviderInfo | null> {
    return this.runOrNull(`query provider ${address}`, async () => {
      const response = await this.sdk.akash.provider.v1beta4.getProvider({ owner: address });
      return response.provider ? providerInfoOf(response.provider) : null;
    });
  }

  /**
   * The provider's attributes with the auditors that signed each (`akash.audit.v1`): what the Console
   * API's `attributes[].auditedBy` says, read from the chain itself. Null when no provider is registered.
   */
  auditedProvider(address: string): Promise<AuditedProviderInfo | null> {
    return this.run(`query audited attributes of ${address}`, async () => {
      const [provider, audits] = await Promise.all([
        this.provider(address),
        this.sdk.akash.audit.v1.getProviderAttributes({ owner: address }),
      ]);
      if (!provider) return null;
      const signed = (key: string, value: string) =>
        audits.providers
          .filter((audit) => audit.attributes.some((a) => a.key === key && a.value === value))
          .map((audit) => audit.auditor);
      return {
        ...provider,
        attributes: provider.attributes.map((a) => ({ ...a, auditedBy: signed(a.key, a.value) })),
      };
    });
  }

  /** The provider's valid on-chain certificates (`akash.cert.v1`), as PEM text. */
  certificates(owner: string): Promise<string[]> {
    return this.run(`query certificates of ${owner}`, async () => {
      const records = await allPages(async (key) => {
        const response = await this.sdk.akash.cert.v1.getCertificates({
          filter: { owner, state: "valid", serial: "" },
          pagination: key ? { key } : { limit: PAGE_LIMIT },
        });
        return { items: response.certificates, nextKey: response.pagination?.nextKey };
      });
      return records
        .map((r) => r.certificate?.cert)
        .filter(nonNull)
        .map((cert) => new TextDecoder().decode(cert));
    });
  }

  /** USD per AKT from the oracle's aggregated (time-weighted) price, the rate MsgMintACT converts at. */
  aktPriceUsd(): Promise<number> {
    return this.run("query the AKT oracle price", async () => {
      const response = await this.sdk.akash.oracle.v1.getAggregatedPrice({ denom: "uakt" });
      const price = Number(response.aggregatedPrice?.twap ?? Number.NaN);
      if (!(price > 0)) {
        throw new EffectError("retryable", "the chain's oracle has no AKT price yet");
      }
      return price;
    });
  }
}
