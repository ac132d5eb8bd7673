import { EffectError } from "../../domain/effect-failure.js";
import type { ProviderGateway } from "./akash-service.js";
import type { LeaseKey, LeaseStatus } from "./akash-types.js";
import { describeTransportError } from "./chain-failures.js";
import { parseLeaseStatus } from "./lease-status.js";
import {
  allCertificatesExpired,
  type HttpsAnswer,
  isCertificateExpiredError,
  isPinFailure,
  type PinnedRequest,
  pinnedHttpsRequest,
} from "./pinned-https.js";
import type { ProviderCertificates } from "./provider-certificates.js";
import type { GatewayScope, ProviderTokens } from "./provider-tokens.js";

export interface ProviderGatewayClientOptions {
  readonly certificates: ProviderCertificates;
  readonly tokens: ProviderTokens;
  /** Per status request. */
  readonly requestTimeoutMs: number;
  /** Per manifest upload (a provider may hold it until the lease shows up on its side). */
  readonly manifestTimeoutMs: number;
  /** Current time in ms, to tell an expired certificate. Default Date.now. */
  readonly now?: () => number;
}

type GatewayRequest = Omit<PinnedRequest, "certificates">;

const MAX_BODY_IN_MESSAGE = 200;

function gatewayUrl(hostUri: string, path: string): URL {
  let base: URL;
  try {
    base = new URL(hostUri);
  } catch {
    throw new EffectError("provider", `provider host URI "${hostUri}" is not a URL`);
  }
  if (base.protocol !== "https:") {
    throw new EffectError(
      "provider",
      `provider host URI "${hostUri}" is not https; the gateway is served over TLS only`,
    );
  }
  return new URL(path, base);
}

function answerError(what: string, answer: HttpsAnswer): EffectError {
  const body = answer.body.trim().slice(0, MAX_BODY_IN_MESSAGE);
  return new EffectError(
    "provider",
    `${what}: the provider answered HTTP ${answer.status}${body ? `: ${body}` : ""}`,
  );
}

const leasePath = (lease: LeaseKey) => `/lease/${lease.dseq}/${lease.gseq}/${lease.oseq}`;

/**
 * The provider gateway over HTTPS pinned to each provider's on-chain certificate, with AEP-64
 * tokens. Any 4xx/5xx from a provider is `provider` (after one retry with a new token on 401);
 * a connection that fails or times out is `retryable`; a certificate that is not on chain (after
 * looking the chain up again once) is `provider`.
 */
export class ProviderGatewayClient implements ProviderGateway {
  constructor(private readonly options: ProviderGatewayClientOptions) {}

  async sendManifest(request: { lease: LeaseKey; hostUri: string; manifestJson: string }): Promise<void> {
    const { lease, hostUri, manifestJson } = request;
    const what = `send the manifest of ${lease.dseq} to ${lease.provider}`;
    const answer = await this.authorized(what, lease.provider, "send-manifest", {
      url: gatewayUrl(hostUri, `/deployment/${lease.dseq}/manifest`),
      method: "PUT",
      body: manifestJson,
      timeoutMs: this.options.manifestTimeoutMs,
    });
    if (answer.status !== 200) throw answerError(what, answer);
  }

  async leaseStatus(request: { lease: LeaseKey; hostUri: string }): Promise<LeaseStatus | null> {
    const { lease, hostUri } = request;
    const what = `lease status of ${lease.dseq}/${lease.gseq}/${lease.oseq} from ${lease.provider}`;
    const answer = await this.authorized(what, lease.provider, "status", {
      url: gatewayUrl(hostUri, `${leasePath(lease)}/status`),
      method: "GET",
      timeoutMs: this.options.requestTimeoutMs,
    });
    if (answer.status === 404) return null;
    if (answer.status !== 200) throw answerError(what, answer);
    const status = parseLeaseStatus(answer.body);
    if (!status)
      throw new EffectError("provider", `${what}: the provider answered a body that is not a lease status`);
    return status;
  }

  async probe(request: {
    provider: string;
    hostUri: string;
    timeoutMs: number;
  }): Promise<{ ok: boolean; latencyMs: number; certificateExpired?: boolean }> {
    const started = performance.now();
    const latencyMs = () => Math.round(performance.now() - started);
    let url: URL;
    try {
      url = gatewayUrl(request.hostUri, "/status");
    } catch {
      return { ok: false, latencyMs: 0 };
    }
    // Chain trouble looking up the certificates says nothing about the provider: it is thrown.
    const certificates = await this.options.certificates.of(request.provider);
    if (certificates.length === 0) return { ok: false, latencyMs: latencyMs() };
    // The pin is the provider's own certificate: once it has expired, what the gateway says cannot be trusted.
    if (allCertificatesExpired(certificates, (this.options.now ?? Date.now)())) {
      return { ok: false, latencyMs: latencyMs(), certificateExpired: true };
    }
    try {
      const answer = await this.pinned(`probe ${request.provider}`, request.provider, {
        url,
        method: "GET",
        timeoutMs: request.timeoutMs,
      });
      return { ok: answer.status === 200, latencyMs: latencyMs() };
    } catch (error) {
      return {
        ok: false,
        latencyMs: latencyMs(),
        ...(isCertificateExpiredError(error) ? { certificateExpired: true } : {}),
      };
    }
  }

  /** A request with a bearer token; on 401 once more with a newly made token. */
  private async authorized(
    what: string,
    provider: string,
    scope: GatewayScope,
    request: GatewayRequest,
  ): Promise<HttpsAnswer> {
    const send = async (fresh: boolean) => {
      const token = await this.options.tokens.token(provider, scope, { fresh });
      return this.pinned(what, provider, { ...request, headers: { authorization: `Bearer ${token}` } });
    };
    const answer = await send(false);
    return answer.status === 401 ? send(true) : answer;
  }

  /** A request to the provider pinned to its on-chain certificates (looked up again once on a mismatch). */
  private async pinned(what: string, provider: string, request: GatewayRequest): Promise<HttpsAnswer> {
    const attempt = async (fresh: boolean) => {
      const certificates = await this.options.certificates.of(provider, { fresh });
      if (certificates.length === 0) {
        throw new EffectError("provider", `${what}: provider ${provider} has no valid certificate on chain`);
      }
      return pinnedHttpsRequest({ ...request, certificates });
    };
    try {
      try {
        return await attempt(false);
      } catch (error) {
        if (!isPinFailure(error)) throw error;
        return await attempt(true);
      }
    } catch (error) {
      if (error instanceof EffectError) throw error;
      if (isPinFailure(error)) {
        throw new EffectError(
          "provider",
          `${what}: the gateway's TLS certificate is not provider ${provider}'s on-chain certificate (${describeTransportError(error)})`,
          { cause: error },
        );
      }
      throw new EffectError("retryable", `${what}: ${describeTransportError(error)}`, { cause: error });
    }
  }
}
