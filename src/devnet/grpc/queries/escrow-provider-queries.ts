import {
  QueryProvidersResponse as AuditProvidersResponse,
  QueryAccountsRequest,
  QueryAccountsResponse,
  QueryAllProvidersAttributesRequest,
  QueryAuditorAttributesRequest,
  QueryCertificatesRequest,
  QueryCertificatesResponse,
  QueryPaymentsRequest,
  QueryPaymentsResponse,
  QueryProviderAttributesRequest,
  QueryProviderAuditorRequest,
} from "@akashnetwork/chain-sdk/private-types/akash.v1";
import {
  QueryProviderRequest,
  QueryProviderResponse,
  QueryProvidersRequest,
  QueryProvidersResponse,
} from "@akashnetwork/chain-sdk/private-types/akash.v1beta4";
import { isAkashAddress } from "../../chain/addresses.js";
import type { Chain } from "../../chain/chain.js";
import { CertErrors, GrpcCode, ProviderErrors, QueryError } from "../../chain/chain-errors.js";
import type { AuditRecord } from "../../chain/chain-state.js";
import { paginate } from "../pagination.js";
import type { QueryRouter } from "../query-router.js";
import { escrowAccountPartial, paymentPartial, providerPartial } from "../record-encoding.js";
import { CERT_STATES, ESCROW_STATES, parseStateFilter } from "../state-filters.js";

const xidMatches = (xid: string, filter: string) =>
  filter === "" || xid === filter || xid.startsWith(`${filter}/`);
const auditPartial = (a: AuditRecord) => ({
  owner: a.owner,
  auditor: a.auditor,
  attributes: a.attributes.map((x) => ({ ...x })),
});

export function registerEscrowProviderQueries(router: QueryRouter, chain: Chain): void {
  const audits = () => [...chain.state.audits.values()];
  router
    .add("/akash.escrow.v1.Query/Accounts", QueryAccountsRequest, QueryAccountsResponse, (req) => {
      const state = parseStateFilter(req.state, ESCROW_STATES);
      const all = [...chain.state.escrowAccounts.values()].filter(
        (a) => xidMatches(a.xid, req.xid) && (state === undefined || a.state === state),
      );
      const page = paginate(all, req.pagination);
      return { accounts: page.items.map(escrowAccountPartial), pagination: page.pagination };
    })
    .add("/akash.escrow.v1.Query/Payments", QueryPaymentsRequest, QueryPaymentsResponse, (req) => {
      const state = parseStateFilter(req.state, ESCROW_STATES);
      const all = [...chain.state.payments.values()].filter(
        (p) =>
          (xidMatches(p.accountXid, req.xid) || xidMatches(`${p.accountXid}/${p.xid}`, req.xid)) &&
          (state === undefined || p.state === state),
      );
      const page = paginate(all, req.pagination);
      return { payments: page.items.map(paymentPartial), pagination: page.pagination };
    })
    .add("/akash.provider.v1beta4.Query/Providers", QueryProvidersRequest, QueryProvidersResponse, (req) => {
      const page = paginate([...chain.state.providers.values()], req.pagination);
      return { providers: page.items.map(providerPartial), pagination: page.pagination };
    })
    .add("/akash.provider.v1beta4.Query/Provider", QueryProviderRequest, QueryProviderResponse, (req) => {
      if (!isAkashAddress(req.owner))
        throw new QueryError(GrpcCode.InvalidArgument, "invalid provider address");
      const provider = chain.state.providers.get(req.owner);
      if (!provider) throw ProviderErrors.notFound();
      return { provider: providerPartial(provider) };
    })
    .add(
      "/akash.audit.v1.Query/AllProvidersAttributes",
      QueryAllProvidersAttributesRequest,
      AuditProvidersResponse,
      (req) => {
        const page = paginate(audits(), req.pagination);
        return { providers: page.items.map(auditPartial), pagination: page.pagination };
      },
    )
    .add(
      "/akash.audit.v1.Query/ProviderAttributes",
      QueryProviderAttributesRequest,
      AuditProvidersResponse,
      (req) => {
        const page = paginate(
          audits().filter((a) => a.owner === req.owner),
          req.pagination,
        );
        return { providers: page.items.map(auditPartial), pagination: page.pagination };
      },
    )
    .add(
      "/akash.audit.v1.Query/ProviderAuditorAttributes",
      QueryProviderAuditorRequest,
      AuditProvidersResponse,
      (req) => {
        const found = audits().filter((a) => a.owner === req.owner && a.auditor === req.auditor);
        if (found.length === 0) throw new QueryError(GrpcCode.NotFound, "provider not found");
        return { providers: found.map(auditPartial), pagination: { nextKey: new Uint8Array(), total: "0" } };
      },
    )
    .add(
      "/akash.audit.v1.Query/AuditorAttributes",
      QueryAuditorAttributesRequest,
      AuditProvidersResponse,
      (req) => {
        const page = paginate(
          audits().filter((a) => a.auditor === req.auditor),
          req.pagination,
        );
        return { providers: page.items.map(auditPartial), pagination: page.pagination };
      },
    )
    .add("/akash.cert.v1.Query/Certificates", QueryCertificatesRequest, QueryCertificatesResponse, (req) => {
      const filter = req.filter;
      const state = parseStateFilter(filter?.state ?? "", CERT_STATES);
      if (filter?.serial && !/^\d+$/.test(filter.serial)) throw CertErrors.invalidSerial();
      const all = [...chain.state.certificates.values()].filter(
        (c) =>
          (!filter?.owner || c.owner === filter.owner) &&
          (!filter?.serial || c.serial === filter.serial) &&
          (state === undefined || c.state === state),
      );
      const page = paginate(all, req.pagination);
      return {
        certificates: page.items.map((c) => ({
          certificate: { state: c.state, cert: c.cert, pubkey: c.pubkey },
          serial: c.serial,
        })),
        pagination: page.pagination,
      };
    });
}
