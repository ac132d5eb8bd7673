import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import Arweave from "arweave";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type ArweaveJwk,
  arweaveAddress,
  generateArweaveJwk,
  knownSecretValues,
  parseArweaveJwk,
  type Secret,
} from "../../../src/services/keys/index.js";

// RSA-4096 generation is slow: this file makes one key and shares it.
let generated: Secret<ArweaveJwk>;
beforeAll(async () => {
  generated = await generateArweaveJwk();
});

describe("generateArweaveJwk", () => {
  it("makes an RSA-4096 key with e = 65537 in the arweave package's JWK format", () => {
    const jwk = generated.reveal();
    expect(Object.keys(jwk).sort()).toEqual(["d", "dp", "dq", "e", "kty", "n", "p", "q", "qi"]);
    expect(jwk.kty).toBe("RSA");
    expect(jwk.e).toBe("AQAB");
    expect(Buffer.from(jwk.n, "base64url")).toHaveLength(512);
    const key = createPrivateKey({ key: { ...jwk }, format: "jwk" });
    expect(key.asymmetricKeyDetails).toMatchObject({ modulusLength: 4096, publicExponent: 65537n });
  });

  it("registers every private member as a secret", () => {
    const jwk = generated.reveal();
    expect(knownSecretValues()).toEqual(
      expect.arrayContaining([jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq, jwk.qi]),
    );
    expect(knownSecretValues()).not.toContain(jwk.n);
  });

  it("has the address arweave.wallets.jwkToAddress computes", async () => {
    const arweave = Arweave.init({});
    const jwk = generated.reveal();
    expect(arweaveAddress(jwk)).toBe(await arweave.wallets.jwkToAddress({ ...jwk }));
    expect(arweaveAddress(jwk)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("signs in a way the arweave package verifies", async () => {
    const arweave = Arweave.init({});
    const jwk = generated.reveal();
    const data = new TextEncoder().encode("archive chunk");
    const signature = await arweave.crypto.sign({ ...jwk }, data);
    expect(await arweave.crypto.verify(jwk.n, data, signature)).toBe(true);
  });
});

describe("parseArweaveJwk", () => {
  it("accepts the generated key and drops extra JWK members", () => {
    const parsed = parseArweaveJwk({ ...generated.reveal(), alg: "RS256", ext: true });
    expect(parsed.ok && parsed.jwk.reveal()).toEqual(generated.reveal());
  });

  it("refuses a key whose primes do not make its modulus", () => {
    const jwk = generated.reveal();
    const parsed = parseArweaveJwk({
      ...jwk,
      p: jwk.q,
      q: Buffer.from("x".repeat(256)).toString("base64url"),
    });
    expect(parsed).toEqual({ ok: false, reason: "its primes p and q do not multiply to its modulus n" });
  });

  it("refuses a 2048-bit key, a public key and a non-RSA key without quoting values", () => {
    const small = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
    expect(parseArweaveJwk(small)).toEqual({
      ok: false,
      reason: "the modulus has 2048 bits; Arweave keys have 4096",
    });
    const publicOnly = createPublicKey(
      createPrivateKey({ key: { ...generated.reveal() }, format: "jwk" }),
    ).export({
      format: "jwk",
    });
    const refused = parseArweaveJwk(publicOnly);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.reason).toBe("member d is missing or not an RSA JWK value with e = AQAB");
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
    const ecRefused = parseArweaveJwk(ec);
    expect(!ecRefused.ok && ecRefused.reason).not.toContain(String(ec.d));
    expect(parseArweaveJwk("not an object").ok).toBe(false);
  });
});
