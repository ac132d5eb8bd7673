import { createHash, generateKeyPair } from "node:crypto";
import { promisify } from "node:util";
import { z } from "zod";
import { Secret, type SecretRegistry, secretRegistry } from "./secret.js";

/** An Arweave wallet: an RSA-4096 private key with e = 65537, as a JWK (the arweave package's format). */
export interface ArweaveJwk {
  readonly kty: "RSA";
  readonly e: string;
  readonly n: string;
  readonly d: string;
  readonly p: string;
  readonly q: string;
  readonly dp: string;
  readonly dq: string;
  readonly qi: string;
}

const ARWEAVE_MODULUS_BITS = 4096;
const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/);

/** Extra JWK members other wallets add (alg, ext, key_ops, kid) are dropped. */
const arweaveJwkSchema = z.object({
  kty: z.literal("RSA"),
  e: z.literal("AQAB"),
  n: base64url,
  d: base64url,
  p: base64url,
  q: base64url,
  dp: base64url,
  dq: base64url,
  qi: base64url,
});

const generateRsa = promisify(generateKeyPair);

function wrap(jwk: ArweaveJwk, registry?: SecretRegistry): Secret<ArweaveJwk> {
  const frozen = Object.freeze({ ...jwk });
  return new Secret(frozen, [frozen.d, frozen.p, frozen.q, frozen.dp, frozen.dq, frozen.qi], registry);
}

function toBigInt(value: string): bigint {
  const hex = Buffer.from(value, "base64url").toString("hex");
  return hex.length === 0 ? 0n : BigInt(`0x${hex}`);
}

/** A new Arweave wallet key (takes about a second: RSA-4096 prime search). */
export async function generateArweaveJwk(registry?: SecretRegistry): Promise<Secret<ArweaveJwk>> {
  const { privateKey } = await generateRsa("rsa", {
    modulusLength: ARWEAVE_MODULUS_BITS,
    publicExponent: 65537,
  });
  return wrap(arweaveJwkSchema.parse(privateKey.export({ format: "jwk" })), registry);
}

export type ArweaveJwkParse = { ok: true; jwk: Secret<ArweaveJwk> } | { ok: false; reason: string };

/**
 * Checks a JWK from storage or the environment: RSA, e = 65537, a 4096-bit modulus that is the product
 * of its primes. The reason on failure names the member, never its value.
 */
export function parseArweaveJwk(input: unknown, registry?: SecretRegistry): ArweaveJwkParse {
  if (typeof input === "object" && input !== null) {
    const privateParts = ["d", "p", "q", "dp", "dq", "qi"].map((name) => Reflect.get(input, name));
    (registry ?? secretRegistry).add(privateParts.filter((part): part is string => typeof part === "string"));
  }
  const parsed = arweaveJwkSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `member ${issue.path.join(".")}` : "the key";
    return { ok: false, reason: `${where} is missing or not an RSA JWK value with e = AQAB` };
  }
  const jwk = parsed.data;
  const modulusBits = Buffer.from(jwk.n, "base64url").length * 8;
  if (modulusBits !== ARWEAVE_MODULUS_BITS) {
    return { ok: false, reason: `the modulus has ${modulusBits} bits; Arweave keys have 4096` };
  }
  if (toBigInt(jwk.p) * toBigInt(jwk.q) !== toBigInt(jwk.n)) {
    return { ok: false, reason: "its primes p and q do not multiply to its modulus n" };
  }
  return { ok: true, jwk: wrap(jwk, registry) };
}

/** The wallet address: base64url(sha256(modulus bytes)), as `arweave.wallets.jwkToAddress` computes. */
export function arweaveAddress(jwk: Pick<ArweaveJwk, "n">): string {
  return createHash("sha256").update(Buffer.from(jwk.n, "base64url")).digest("base64url");
}
