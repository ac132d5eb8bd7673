import { createPublicKey, X509Certificate } from "node:crypto";
import {
  MsgCreateCertificate,
  MsgCreateCertificateResponse,
  MsgRevokeCertificate,
  MsgRevokeCertificateResponse,
} from "@akashnetwork/chain-sdk/private-types/akash.v1";
import { isAkashAddress } from "../addresses.js";
import { CertErrors, SdkErrors } from "../chain-errors.js";
import { certificateKey } from "../chain-state.js";
import { defineHandler, partial } from "../msg-handler.js";

/** akash.cert.v1.State */
export const CertState = { valid: 1, revoked: 2 } as const;

/**
 * cert ParseAndValidateCertificate: a PEM X.509 certificate whose subject CN is the owner's address, whose
 * public key is the given PEM key, and whose serial (decimal) identifies it on chain.
 */
export function parseOwnerCertificate(
  owner: string,
  certPem: Uint8Array,
  pubkeyPem: Uint8Array,
): { serial: string } {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(certPem));
  } catch {
    throw CertErrors.invalidPem();
  }
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1];
  if (cn !== owner)
    throw CertErrors.invalidCertificate.wrap(`subject CN ${cn ?? "<none>"} is not the owner ${owner}`);
  let keyMatches = false;
  try {
    const pem = Buffer.from(pubkeyPem)
      .toString("utf8")
      .replace(/EC PUBLIC KEY/g, "PUBLIC KEY");
    const given = createPublicKey(pem).export({ type: "spki", format: "der" });
    keyMatches = Buffer.from(given).equals(
      Buffer.from(cert.publicKey.export({ type: "spki", format: "der" })),
    );
  } catch {
    throw CertErrors.invalidPubKey();
  }
  if (!keyMatches) throw CertErrors.invalidPubKey.wrap("public key does not match certificate");
  return { serial: BigInt(`0x${cert.serialNumber}`).toString(10) };
}

export const certHandlers = [
  defineHandler({
    codec: MsgCreateCertificate,
    responseCodec: MsgCreateCertificateResponse,
    module: "cert",
    gas: 30_000,
    signer: (msg) => msg.owner,
    validateBasic(msg) {
      if (!isAkashAddress(msg.owner))
        throw SdkErrors.invalidAddress.wrap("MsgCreateCertificate: Invalid Owner Address");
      parseOwnerCertificate(msg.owner, msg.cert, msg.pubkey);
    },
    execute(ctx, msg) {
      const { serial } = parseOwnerCertificate(msg.owner, msg.cert, msg.pubkey);
      const key = certificateKey(msg.owner, serial);
      if (ctx.state.certificates.has(key)) throw CertErrors.exists();
      ctx.state.certificates.set(key, {
        owner: msg.owner,
        serial,
        state: CertState.valid,
        cert: msg.cert,
        pubkey: msg.pubkey,
      });
      return partial(MsgCreateCertificateResponse, {});
    },
  }),
  defineHandler({
    codec: MsgRevokeCertificate,
    responseCodec: MsgRevokeCertificateResponse,
    module: "cert",
    gas: 20_000,
    signer: (msg) => msg.id?.owner ?? "",
    validateBasic(msg) {
      if (!msg.id || !isAkashAddress(msg.id.owner))
        throw SdkErrors.invalidAddress.wrap("MsgRevoke: Invalid Owner Address");
      if (!/^\d+$/.test(msg.id.serial)) throw CertErrors.invalidSerial();
    },
    execute(ctx, msg) {
      const key = certificateKey(msg.id!.owner, msg.id!.serial);
      const cert = ctx.state.certificates.get(key);
      if (!cert) throw CertErrors.notFound();
      if (cert.state !== CertState.valid) throw CertErrors.invalidState();
      ctx.state.certificates.set(key, { ...cert, state: CertState.revoked });
      return partial(MsgRevokeCertificateResponse, {});
    },
  }),
];
