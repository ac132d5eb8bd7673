import { JwtValidator } from "@akashnetwork/chain-sdk";
import { serializeSignDoc } from "@cosmjs/amino";
import { toBase64 } from "@cosmjs/encoding";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "@noble/hashes/sha2.js";

export type LeaseScope =
  | "send-manifest"
  | "get-manifest"
  | "logs"
  | "shell"
  | "events"
  | "status"
  | "restart"
  | "hostname-migrate"
  | "ip-migrate";

export interface AuthFailure {
  readonly ok: false;
  readonly status: number;
  readonly message: string;
}

export interface AuthSuccess {
  readonly ok: true;
  readonly owner: string;
  readonly leases: LeasesClaim;
}

interface LeasesClaim {
  readonly access: string;
  readonly scope?: readonly string[];
  readonly permissions?: readonly {
    readonly provider: string;
    readonly access: string;
    readonly scope?: readonly string[];
    readonly deployments?: readonly {
      dseq: number;
      scope?: readonly string[];
      gseq?: number;
      oseq?: number;
    }[];
  }[];
}

const fail = (status: number, message: string): AuthFailure => ({ ok: false, status, message });

function base64UrlDecode(part: string): Buffer {
  return Buffer.from(part.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

/** The ADR-36 amino sign bytes chain-sdk's ES256KADR36 signer signs for `<header>.<payload>`. */
function adr36SignBytes(signer: string, data: string): Uint8Array {
  return serializeSignDoc({
    chain_id: "",
    account_number: "0",
    sequence: "0",
    fee: { gas: "0", amount: [] },
    msgs: [{ type: "sign/MsgSignData", value: { signer, data: toBase64(new TextEncoder().encode(data)) } }],
    memo: "",
  });
}

/**
 * Verifies an AEP-64 bearer token the way a provider gateway does: header algorithm, claims (chain-sdk's
 * JwtValidator schema), times, and the ES256K / ES256KADR36 signature against the issuer's on-chain key.
 */
export function verifyJwt(
  authorization: string | undefined,
  pubKeyOf: (address: string) => Uint8Array | undefined,
  nowSeconds: number,
): AuthSuccess | AuthFailure {
  if (!authorization) return fail(401, "unauthorized access");
  const match = /^Bearer (\S+)$/.exec(authorization);
  if (!match) return fail(400, "invalid authorization header");
  const token = match[1]!;
  const parts = token.split(".");
  if (parts.length !== 3) return fail(401, "JWT is invalid");
  let header: { alg?: string };
  let payload: {
    iss?: string;
    iat?: number;
    nbf?: number;
    exp?: number;
    version?: string;
    leases?: LeasesClaim;
  };
  try {
    header = JSON.parse(base64UrlDecode(parts[0]!).toString("utf8")) as typeof header;
    payload = JSON.parse(base64UrlDecode(parts[1]!).toString("utf8")) as typeof payload;
  } catch {
    return fail(401, "JWT is invalid");
  }
  if (header.alg !== "ES256K" && header.alg !== "ES256KADR36") return fail(401, "JWT is invalid");
  const validation = new JwtValidator().validateToken(token);
  if (!validation.isValid || typeof payload.iss !== "string" || !payload.leases)
    return fail(400, "JWT has invalid claims");
  if (typeof payload.exp !== "number" || payload.exp <= nowSeconds) return fail(401, "JWT is expired");
  if ((payload.nbf ?? 0) > nowSeconds + 1 || (payload.iat ?? 0) > nowSeconds + 1)
    return fail(401, "JWT is invalid");

  const pubKey = pubKeyOf(payload.iss);
  if (!pubKey) return fail(401, "JWT is invalid");
  const signingInput = `${parts[0]}.${parts[1]}`;
  const digest =
    header.alg === "ES256KADR36"
      ? sha256(adr36SignBytes(payload.iss, signingInput))
      : sha256(new TextEncoder().encode(signingInput));
  const signature = base64UrlDecode(parts[2]!);
  let valid = false;
  try {
    valid =
      signature.length === 64 && secp256k1.verify(signature, digest, pubKey, { prehash: false, lowS: false });
  } catch {
    valid = false;
  }
  if (!valid) return fail(401, "JWT is invalid");
  return { ok: true, owner: payload.iss, leases: payload.leases };
}

/** Whether the token's `leases` claim grants `scope` on this provider (and deployment, when given). */
export function grantsScope(
  leases: LeasesClaim,
  provider: string,
  scope: LeaseScope,
  dseq?: bigint,
): boolean {
  if (leases.access === "full") return true;
  if (leases.access === "scoped") return (leases.scope ?? []).includes(scope);
  if (leases.access !== "granular") return false;
  const permission = (leases.permissions ?? []).find((p) => p.provider === provider);
  if (!permission) return false;
  if (permission.access === "full") return true;
  if (permission.access === "scoped") return (permission.scope ?? []).includes(scope);
  if (permission.access !== "granular") return false;
  return (permission.deployments ?? []).some(
    (d) => (dseq === undefined || BigInt(d.dseq) === dseq) && (d.scope ?? []).includes(scope),
  );
}
