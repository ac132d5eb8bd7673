import { X509Certificate } from "node:crypto";
import { request } from "node:https";

/** The server's TLS certificate is not one of the certificates it is pinned to. */
export class CertificatePinError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CertificatePinError";
  }
}

/** OpenSSL verification failures: the presented chain does not lead to a pinned certificate. */
const TLS_VERIFY_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_SIGNATURE_FAILURE",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "INVALID_CA",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** Whether a request failed because the server's certificate is not a pinned one. */
export function isPinFailure(error: unknown): boolean {
  if (error instanceof CertificatePinError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && TLS_VERIFY_CODES.has(code);
}

/** Whether a request failed because the server's certificate has expired (OpenSSL's verdict). */
export function isCertificateExpiredError(error: unknown): boolean {
  for (let cause: unknown = error; cause; cause = (cause as { cause?: unknown }).cause) {
    if ((cause as { code?: unknown }).code === "CERT_HAS_EXPIRED") return true;
  }
  return false;
}

/** Whether every one of these PEM certificates is past its notAfter at `now` (ms). */
export function allCertificatesExpired(certificates: readonly string[], now: number): boolean {
  const validTo = certificates.flatMap((pem) => {
    try {
      return [Date.parse(new X509Certificate(pem).validTo)];
    } catch {
      return [];
    }
  });
  return validTo.length > 0 && validTo.every((until) => until < now);
}

export interface PinnedRequest {
  readonly url: URL;
  readonly method: "GET" | "PUT";
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** PEM certificates the server may present; it must present exactly one of them. */
  readonly certificates: readonly string[];
  readonly timeoutMs: number;
}

export interface HttpsAnswer {
  readonly status: number;
  readonly body: string;
}

function fingerprintsOf(certificates: readonly string[]): Set<string> {
  const fingerprints = new Set<string>();
  for (const pem of certificates) {
    try {
      fingerprints.add(new X509Certificate(pem).fingerprint256);
    } catch {
      // A certificate that does not parse pins nothing.
    }
  }
  return fingerprints;
}

/**
 * One HTTPS request that trusts only the given certificates: OpenSSL verifies the server's chain
 * against them alone (not the system CAs), and the identity check accepts the connection only if
 * the leaf is byte-for-byte one of them (SHA-256 fingerprint), whatever name it carries. A fresh
 * agent per request, so no TLS session is resumed past the check.
 */
export function pinnedHttpsRequest(options: PinnedRequest): Promise<HttpsAnswer> {
  const pins = fingerprintsOf(options.certificates);
  if (pins.size === 0) {
    return Promise.reject(new CertificatePinError(`no certificate to pin ${options.url.host} to`));
  }
  const body = options.body === undefined ? undefined : Buffer.from(options.body, "utf8");
  return new Promise<HttpsAnswer>((resolve, reject) => {
    const req = request(
      {
        protocol: "https:",
        host: options.url.hostname,
        port: options.url.port || 443,
        path: `${options.url.pathname}${options.url.search}`,
        method: options.method,
        headers: {
          ...options.headers,
          ...(body ? { "content-type": "application/json", "content-length": String(body.length) } : {}),
        },
        ca: [...options.certificates],
        checkServerIdentity: (_host, certificate) =>
          pins.has(certificate.fingerprint256)
            ? undefined
            : new CertificatePinError(
                `${options.url.host} presented certificate ${certificate.fingerprint256}, which is not pinned`,
              ),
        agent: false,
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
