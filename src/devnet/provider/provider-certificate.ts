import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import rs from "jsrsasign";

export interface ProviderCertificate {
  /** PEM certificate (also published on chain with akash.cert.v1.MsgCreateCertificate). */
  readonly certPem: string;
  /** PEM public key in the "EC PUBLIC KEY" form the Akash cert module stores. */
  readonly publicKeyPem: string;
  readonly privateKeyPem: string;
}

function utcTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getUTCFullYear() % 100)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`;
}

/**
 * A provider certificate shaped like `provider-services tx cert generate server <host>`: ECDSA P-256,
 * self-signed, subject and issuer CN = the provider's address, client+server auth, the host as SAN.
 */
export function generateProviderCertificate(
  address: string,
  host: string,
  now = new Date(),
): ProviderCertificate {
  // Node's native crypto generates the key and signs; jsrsasign only assembles the DER structure.
  const keys = generateKeyPairSync("ec", {
    namedCurve: "prime256v1",
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const pubKeyObj = rs.KEYUTIL.getKey(keys.publicKey);
  const notAfter = new Date(now.getTime() + 365 * 24 * 3600 * 1000);
  const san = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? [{ ip: host }, { dns: "localhost" }] : [{ dns: host }];
  const serialHex = `01${randomBytes(8).toString("hex")}`;
  const params = {
    version: 3,
    serial: { hex: serialHex },
    issuer: { str: `/CN=${address}` },
    subject: { str: `/CN=${address}` },
    notbefore: utcTime(new Date(now.getTime() - 60_000)),
    notafter: utcTime(notAfter),
    sbjpubkey: pubKeyObj,
    ext: [
      { extname: "keyUsage", critical: true, names: ["keyEncipherment", "dataEncipherment"] },
      { extname: "extKeyUsage", array: [{ name: "clientAuth" }, { name: "serverAuth" }] },
      { extname: "basicConstraints", cA: true, critical: true },
      { extname: "subjectAltName", array: san },
    ],
    sigalg: "SHA256withECDSA",
  };
  const tbsobj = new rs.KJUR.asn1.x509.TBSCertificate(params);
  const sighex = sign("sha256", Buffer.from(tbsobj.getEncodedHex(), "hex"), keys.privateKey).toString("hex");
  const cert = new rs.KJUR.asn1.x509.Certificate({ ...params, tbsobj, sighex });
  return {
    certPem: cert.getPEM(),
    publicKeyPem: keys.publicKey.replaceAll("PUBLIC KEY", "EC PUBLIC KEY"),
    privateKeyPem: keys.privateKey,
  };
}
