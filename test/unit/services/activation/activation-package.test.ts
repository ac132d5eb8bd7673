import { schnorr } from "@noble/curves/secp256k1.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { finalizeEvent } from "nostr-tools/pure";
import { beforeAll, describe, expect, it } from "vitest";
import type { Nip98Request } from "../../../../src/server/nip98-auth.js";
import { openPart, sealPart } from "../../../../src/services/activation/content-cipher.js";
import {
  ACTIVATION_ACK_KIND,
  ActivationRefusedError,
  EphemeralActivationKey,
  openActivation,
  type SealedActivation,
  sealActivationPackage,
  signAcknowledgement,
  verifyAcknowledgement,
} from "../../../../src/services/activation/index.js";
import { inspectExport } from "../../../../src/services/backup/store-export.js";
import { encodeKeystorePlaintext } from "../../../../src/services/keys/keystore-codec.js";
import {
  type ActivationAgent,
  agentStoreImage,
  expectationFor,
  newActivationAgent,
  nip98PostOf,
  packageFor,
  secretSpellings,
  signedActivationRequest,
} from "../../../support/activation-fixtures.js";
import { thrownBy } from "../../../support/thrown-by.js";

const URL_OF_INSTANCE = "http://127.0.0.1:39001";
const NONCE = "nonce-7f3a9c";

let agent: ActivationAgent;
let other: ActivationAgent;
let store: Buffer;

beforeAll(async () => {
  agent = await newActivationAgent();
  other = await newActivationAgent();
  store = agentStoreImage();
});

function sealFor(ephemeral: EphemeralActivationKey, o: { generation?: number; from?: ActivationAgent } = {}) {
  const from = o.from ?? agent;
  return sealActivationPackage(
    packageFor(from, { nonce: NONCE, generation: o.generation ?? 3, store }),
    from.keys.nostrKey().privateKey,
    ephemeral.publicKeyHex,
  );
}

const request = (sealed: SealedActivation, signer: ActivationAgent = agent) =>
  signedActivationRequest(URL_OF_INSTANCE, sealed, signer.keys.nostrKey().privateKey);

function open(req: Nip98Request, ephemeral: EphemeralActivationKey, expected = expectationFor(agent, NONCE)) {
  return openActivation({ request: req, ephemeral, expected, nowMs: Date.now() });
}

/** The refusal `run` throws, checked to hold none of the agents' secrets. */
function refusal(run: () => unknown): ActivationRefusedError {
  const error = thrownBy(run);
  expect(error).toBeInstanceOf(ActivationRefusedError);
  for (const secret of [...secretSpellings(agent), ...secretSpellings(other)]) {
    expect(error.message).not.toContain(secret);
  }
  return error as ActivationRefusedError;
}

/** Flips one byte in the middle of a base64 part. */
function tampered(part: string): string {
  const bytes = Buffer.from(part, "base64");
  const at = Math.floor(bytes.length / 2);
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  return bytes.toString("base64");
}

describe("activation package: seal and open", () => {
  it("round trip: the keystore, the store image, the settings and the generation come out equal", async () => {
    const ephemeral = EphemeralActivationKey.generate();
    const opened = open(await request(sealFor(ephemeral)), ephemeral);
    expect(encodeKeystorePlaintext(opened.contents).equals(encodeKeystorePlaintext(agent.contents))).toBe(
      true,
    );
    expect(opened.keys.identity).toEqual(agent.keys.identity);
    expect(opened.store.equals(store)).toBe(true);
    expect(inspectExport(opened.store).snapshots).toBe(1);
    expect(opened.settings).toEqual({ "treasury.minRunwayDays": 7 });
    expect(opened.generation).toBe(3);
  });

  it("the sealed body shows none of the keystore's secrets and not the store's bytes", () => {
    const sealed = sealFor(EphemeralActivationKey.generate());
    const text = JSON.stringify(sealed);
    for (const secret of secretSpellings(agent)) expect(text).not.toContain(secret);
    expect(Buffer.from(sealed.store, "base64").includes(store.subarray(0, 64))).toBe(false);
  });

  it("refuses a tampered keystore, store, settings or header (400)", async () => {
    const ephemeral = EphemeralActivationKey.generate();
    const sealed = sealFor(ephemeral);
    for (const part of ["keystore", "store", "settings", "header"] as const) {
      const changed = { ...sealed, [part]: tampered(sealed[part]) };
      const error = refusal(() => open(requestSync(changed), ephemeral));
      expect(error.status, part).toBe(400);
      expect(error.message, part).toContain("does not decrypt");
    }
  });

  it("cannot be opened with a different ephemeral key", async () => {
    const offered = EphemeralActivationKey.generate();
    const another = EphemeralActivationKey.generate();
    const sealed = sealFor(offered);
    // Sealed to the key offered before a restart: the instance names the mismatch (409: fetch the offer again).
    const stale = refusal(() => open(requestSync(sealed), another));
    expect(stale.status).toBe(409);
    // Relabelled as sealed to the new key: the header still does not decrypt.
    const relabelled = refusal(() =>
      open(requestSync({ ...sealed, ephemeralPubkey: another.publicKeyHex }), another),
    );
    expect(relabelled.status).toBe(400);
    expect(relabelled.message).toContain("does not decrypt");
  });

  it("binds the generation: a body relabelled with another generation is refused (400)", () => {
    const ephemeral = EphemeralActivationKey.generate();
    const sealed = sealFor(ephemeral, { generation: 3 });
    const error = refusal(() => open(requestSync({ ...sealed, generation: 4 }), ephemeral));
    expect(error.status).toBe(400);
  });

  it("each part's ciphertext is bound to agent, nonce, generation and ephemeral key (AAD)", () => {
    const key = new Uint8Array(32).fill(7);
    const binding = { agentId: "agent-a", nonce: "n", generation: 2, ephemeralPubkey: "e".repeat(64) };
    const sealed = sealPart(key, "store", binding, Buffer.from("state"));
    expect(Buffer.from(openPart(key, "store", binding, sealed) ?? []).toString()).toBe("state");
    expect(openPart(key, "store", { ...binding, generation: 3 }, sealed)).toBeNull();
    expect(openPart(key, "store", { ...binding, nonce: "m" }, sealed)).toBeNull();
    expect(openPart(key, "store", { ...binding, agentId: "agent-b" }, sealed)).toBeNull();
    expect(openPart(key, "keystore", binding, sealed)).toBeNull();
    expect(openPart(key, "store", binding, sealed.subarray(0, 30))).toBeNull();
  });
});

describe("activation package: refusals", () => {
  it("missing, malformed or badly signed Authorization → 401", async () => {
    const ephemeral = EphemeralActivationKey.generate();
    const signed = await request(sealFor(ephemeral));
    expect(refusal(() => open({ ...signed, authorization: undefined }, ephemeral)).status).toBe(401);
    expect(refusal(() => open({ ...signed, authorization: "Nostr !!!" }, ephemeral)).status).toBe(401);
    const event = JSON.parse(Buffer.from(signed.authorization!.slice(6), "base64").toString());
    event.sig = `${event.sig.slice(0, 127)}${event.sig.endsWith("0") ? "1" : "0"}`;
    const forged = `Nostr ${Buffer.from(JSON.stringify(event)).toString("base64")}`;
    const error = refusal(() => open({ ...signed, authorization: forged }, ephemeral));
    expect(error.status).toBe(401);
    expect(error.message).toContain("signature");
  });

  it("a body changed after signing (payload hash) → 401", async () => {
    const ephemeral = EphemeralActivationKey.generate();
    const signed = await request(sealFor(ephemeral, { generation: 3 }));
    const other3 = Buffer.from(JSON.stringify(sealFor(ephemeral, { generation: 5 })));
    expect(refusal(() => open({ ...signed, body: other3 }, ephemeral)).status).toBe(401);
  });

  it("signer ≠ the Nostr key the keystore derives → 403", async () => {
    const ephemeral = EphemeralActivationKey.generate();
    // The other agent seals and signs a package that carries this agent's keystore.
    const pkg = packageFor(agent, { nonce: NONCE, generation: 3, store });
    const sealed = sealActivationPackage(pkg, other.keys.nostrKey().privateKey, ephemeral.publicKeyHex);
    const error = refusal(() => open(requestSync(sealed, other), ephemeral));
    expect(error.status).toBe(403);
    expect(error.message).toContain(other.keys.identity.npub);
  });

  it("a keystore whose Akash address is not the deployment owner → 403 (a keystore for another agent)", async () => {
    const ephemeral = EphemeralActivationKey.generate();
    const expected = { ...expectationFor(agent, NONCE), owner: other.keys.identity.akash };
    const error = refusal(() => open(requestSync(sealFor(ephemeral)), ephemeral, expected));
    expect(error.status).toBe(403);
    expect(error.message).toContain("a keystore for another agent");
  });

  it("a keystore that opens another agent, under this agent's id → 403 (a keystore for another agent)", () => {
    const ephemeral = EphemeralActivationKey.generate();
    const pkg = {
      ...packageFor(other, { nonce: NONCE, generation: 3, store }),
      agentId: agent.keys.identity.agentId,
    };
    const sealed = sealActivationPackage(pkg, other.keys.nostrKey().privateKey, ephemeral.publicKeyHex);
    const error = refusal(() => open(requestSync(sealed, other), ephemeral));
    expect(error.status).toBe(403);
    expect(error.message).toContain("a keystore for another agent");
  });

  it("a package for another agent id → 403", () => {
    const ephemeral = EphemeralActivationKey.generate();
    const error = refusal(() => open(requestSync(sealFor(ephemeral, { from: other }), other), ephemeral));
    expect(error.status).toBe(403);
    expect(error.message).toContain(other.keys.identity.agentId);
  });

  it("a wrong nonce → 403", () => {
    const ephemeral = EphemeralActivationKey.generate();
    const expected = { ...expectationFor(agent, "another-nonce") };
    const error = refusal(() => open(requestSync(sealFor(ephemeral)), ephemeral, expected));
    expect(error.status).toBe(403);
    expect(error.message).toContain("nonce");
  });

  it("a malformed body → 400 naming the field", async () => {
    const ephemeral = EphemeralActivationKey.generate();
    const notJson = nip98PostOf(URL_OF_INSTANCE, Buffer.from("{not json"), agent.keys.nostrKey().privateKey);
    expect(refusal(() => open(notJson, ephemeral)).status).toBe(400);
    const { store: _dropped, ...missing } = sealFor(ephemeral);
    const error = refusal(() => open(requestSync(missing as SealedActivation), ephemeral));
    expect(error.status).toBe(400);
    expect(error.message).toContain("store");
    const zero = refusal(() => open(requestSync({ ...sealFor(ephemeral), generation: 0 }), ephemeral));
    expect(zero.message).toContain("generation");
  });
});

describe("acknowledgement", () => {
  const ack = () => ({
    agentId: agent.keys.identity.agentId,
    nonce: NONCE,
    generation: 3,
    ephemeralPubkey: "ab".repeat(32),
    owner: agent.keys.identity.akash,
    dseq: "4242",
  });
  const expected = () => ({
    agentId: agent.keys.identity.agentId,
    nonce: NONCE,
    generation: 3,
    nostrPubkey: agent.keys.identity.nostrPubkey,
    ephemeralPubkey: "ab".repeat(32),
  });

  it("is a kind-30421 event signed by the agent's Nostr key over agent, nonce, generation and ephemeral key", () => {
    const event = signAcknowledgement(agent.keys, ack());
    expect(event.kind).toBe(ACTIVATION_ACK_KIND);
    expect(event.pubkey).toBe(agent.keys.identity.nostrPubkey);
    expect(JSON.parse(event.content)).toEqual(ack());
    expect(verifyAcknowledgement(event, expected())).toBe(true);
    expect(verifyAcknowledgement(JSON.parse(JSON.stringify(event)), expected())).toBe(true);
  });

  it("does not verify for another generation, nonce, agent, ephemeral key or signer", () => {
    const event = signAcknowledgement(agent.keys, ack());
    expect(verifyAcknowledgement(event, { ...expected(), generation: 4 })).toBe(false);
    expect(verifyAcknowledgement(event, { ...expected(), nonce: "other" })).toBe(false);
    expect(verifyAcknowledgement(event, { ...expected(), agentId: other.keys.identity.agentId })).toBe(false);
    expect(verifyAcknowledgement(event, { ...expected(), ephemeralPubkey: "cd".repeat(32) })).toBe(false);
    expect(
      verifyAcknowledgement(event, { ...expected(), nostrPubkey: other.keys.identity.nostrPubkey }),
    ).toBe(false);
    const byOther = signAcknowledgement(other.keys, ack());
    expect(verifyAcknowledgement(byOther, expected())).toBe(false);
  });

  it("does not verify when its content was changed after signing", () => {
    const event = signAcknowledgement(agent.keys, ack());
    const changed = { ...event, content: JSON.stringify({ ...ack(), generation: 9 }) };
    expect(verifyAcknowledgement(changed, { ...expected(), generation: 9 })).toBe(false);
    // Re-signed by a stranger with the same content: still not the agent's.
    const stranger = generateStrangerKey();
    const forged = finalizeEvent(
      { kind: event.kind, tags: event.tags, content: event.content, created_at: event.created_at },
      stranger,
    );
    expect(verifyAcknowledgement(forged, expected())).toBe(false);
  });
});

function generateStrangerKey(): Uint8Array {
  const key = schnorr.utils.randomSecretKey();
  expect(bytesToHex(schnorr.getPublicKey(key))).not.toBe(agent.keys.identity.nostrPubkey);
  return key;
}

const requestSync = (sealed: SealedActivation, signer: ActivationAgent = agent): Nip98Request =>
  nip98PostOf(URL_OF_INSTANCE, Buffer.from(JSON.stringify(sealed)), signer.keys.nostrKey().privateKey);
