import { z } from "zod";
import { type ArweaveJwk, parseArweaveJwk } from "./arweave-key.js";
import { keyIndicesSchema } from "./key-indices.js";
import { InvalidMnemonicError, KeystoreError } from "./keys-errors.js";
import { type AlertSecrets, KEYSTORE_CONTENTS_VERSION, type KeystoreContents } from "./keystore.js";
import { parseMnemonic } from "./mnemonic.js";
import { type Secret, secretRegistry, secretString } from "./secret.js";

/** Contents versions this build reads: 1 (before per-key rotation times) and the current one. */
const READABLE_VERSIONS: readonly number[] = [1, KEYSTORE_CONTENTS_VERSION];

const plaintextSchema = z.strictObject({
  version: z.union([z.literal(1), z.literal(KEYSTORE_CONTENTS_VERSION)]),
  mnemonic: z.string(),
  arweaveJwk: z.unknown(),
  keyIndices: keyIndicesSchema,
  createdAt: z.iso.datetime(),
  rotatedAt: z
    .strictObject({
      akash: z.iso.datetime().optional(),
      evm: z.iso.datetime().optional(),
      nostr: z.iso.datetime().optional(),
      encryption: z.iso.datetime().optional(),
    })
    .optional(),
  alertSecrets: z
    .strictObject({
      webhookSecret: z.string().optional(),
      slackWebhookUrl: z.string().optional(),
      telegramBotToken: z.string().optional(),
    })
    .optional(),
  childArweaveJwks: z.record(z.string().regex(/^\d+$/), z.unknown()).optional(),
});

/** The JSON the keystore encrypts. The bytes are secret: zero them once encrypted. */
export function encodeKeystorePlaintext(contents: KeystoreContents): Buffer {
  return Buffer.from(
    JSON.stringify({
      version: contents.version,
      mnemonic: contents.mnemonic.reveal(),
      arweaveJwk: contents.arweaveJwk?.reveal() ?? null,
      keyIndices: contents.keyIndices,
      createdAt: contents.createdAt,
      rotatedAt: contents.rotatedAt,
      ...(contents.alertSecrets && Object.keys(contents.alertSecrets).length > 0
        ? {
            alertSecrets: Object.fromEntries(
              Object.entries(contents.alertSecrets).map(([name, secret]) => [name, secret?.reveal()]),
            ),
          }
        : {}),
      ...(contents.childArweaveJwks && Object.keys(contents.childArweaveJwks).length > 0
        ? {
            childArweaveJwks: Object.fromEntries(
              Object.entries(contents.childArweaveJwks).map(([index, jwk]) => [index, jwk.reveal()]),
            ),
          }
        : {}),
    }),
    "utf8",
  );
}

/**
 * Reads decrypted keystore JSON back into contents. `where` names the keystore. Errors name the
 * field and never quote the text (parser messages can echo it).
 */
export function decodeKeystorePlaintext(bytes: Uint8Array, where: string): KeystoreContents {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    throw new KeystoreError(`${where} decrypted to something that is not JSON: restore it from a backup`);
  }
  if (typeof json === "object" && json !== null) {
    const mnemonic = Reflect.get(json, "mnemonic");
    if (typeof mnemonic === "string") secretRegistry.add([mnemonic]);
    const version = Reflect.get(json, "version");
    if (typeof version === "number" && !READABLE_VERSIONS.includes(version)) {
      throw new KeystoreError(
        `${where} holds contents version ${version}; this agent reads version ${KEYSTORE_CONTENTS_VERSION} and older: ` +
          "run the agent build that wrote it",
      );
    }
  }
  const parsed = plaintextSchema.safeParse(json);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join(".") || "contents";
    throw new KeystoreError(`${where} holds invalid contents (field ${field}): restore it from a backup`);
  }
  const plain = parsed.data;
  let mnemonic: KeystoreContents["mnemonic"];
  try {
    mnemonic = parseMnemonic(plain.mnemonic, "its mnemonic");
  } catch (error) {
    if (!(error instanceof InvalidMnemonicError)) throw error;
    throw new KeystoreError(`${where} holds an invalid mnemonic: restore it from a backup`);
  }
  let arweaveJwk: KeystoreContents["arweaveJwk"] = null;
  if (plain.arweaveJwk !== null) {
    const jwk = parseArweaveJwk(plain.arweaveJwk);
    if (!jwk.ok) throw new KeystoreError(`${where} holds an invalid Arweave key: ${jwk.reason}`);
    arweaveJwk = jwk.jwk;
  }
  return Object.freeze({
    version: KEYSTORE_CONTENTS_VERSION,
    mnemonic,
    arweaveJwk,
    keyIndices: Object.freeze(plain.keyIndices),
    createdAt: plain.createdAt,
    // Version 1 recorded no rotation times: every key counts from createdAt.
    rotatedAt: Object.freeze(
      Object.fromEntries(Object.entries(plain.rotatedAt ?? {}).filter(([, at]) => at !== undefined)),
    ),
    ...(plain.alertSecrets ? { alertSecrets: alertSecretsOf(plain.alertSecrets) } : {}),
    ...(plain.childArweaveJwks ? { childArweaveJwks: childJwksOf(plain.childArweaveJwks, where) } : {}),
  });
}

function childJwksOf(plain: Record<string, unknown>, where: string): KeystoreContents["childArweaveJwks"] {
  const jwks: Record<string, Secret<ArweaveJwk>> = {};
  for (const [index, value] of Object.entries(plain)) {
    const jwk = parseArweaveJwk(value);
    if (!jwk.ok)
      throw new KeystoreError(`${where} holds an invalid Arweave key for child ${index}: ${jwk.reason}`);
    jwks[index] = jwk.jwk;
  }
  return Object.freeze(jwks);
}

function alertSecretsOf(plain: Record<string, string | undefined>): AlertSecrets {
  return Object.freeze(
    Object.fromEntries(
      Object.entries(plain)
        .filter((entry): entry is [string, string] => entry[1] !== undefined)
        .map(([name, value]) => [name, secretString(value)]),
    ),
  );
}
