export { type AgentIdentity, AgentKeys } from "./agent-keys.js";
export {
  AKASH_BECH32_PREFIX,
  type AkashKey,
  akashAddressFromPublicKey,
  deriveAkashKey,
} from "./akash-key.js";
export { type AkashWallets, createAkashWallets } from "./akash-wallets.js";
export {
  type ArweaveJwk,
  type ArweaveJwkParse,
  arweaveAddress,
  generateArweaveJwk,
  parseArweaveJwk,
} from "./arweave-key.js";
export {
  bip85Mnemonic,
  type ChildIdentity,
  childEvmKey,
  childIdentity,
  childMnemonicPath,
  deriveChildMnemonic,
} from "./child-mnemonic.js";
export {
  ARWEAVE_JWK_ENV,
  EnvKeystore,
  type EnvKeystoreOptions,
  KEY_INDICES_ENV,
  MNEMONIC_ENV,
} from "./env-keystore.js";
export { deriveEvmKey, type EvmKey, evmAddressFromPublicKey } from "./evm-key.js";
export { FileKeystore, type FileKeystoreOptions } from "./file-keystore.js";
export { akashHdPath, evmHdPath, nostrHdPath } from "./hd-paths.js";
export {
  assertAccountIndex,
  initialKeyIndices,
  isAccountIndex,
  type KeyIndices,
  type KeyKind,
  keyIndicesSchema,
  keyKinds,
  MAX_ACCOUNT_INDEX,
} from "./key-indices.js";
export {
  InvalidKeyInputError,
  InvalidMnemonicError,
  KeystoreError,
  KeystoreExistsError,
  KeystoreNotFoundError,
} from "./keys-errors.js";
export {
  type AlertSecretName,
  type AlertSecrets,
  advanceKeyIndex,
  alertSecretNames,
  createKeystoreContents,
  initKeystore,
  KEYSTORE_CONTENTS_VERSION,
  type KeyRotationTimes,
  type KeystoreBackend,
  type KeystoreContents,
  lastRotatedAt,
  type NewKeystoreOptions,
  rotateKeyIndex,
  saveNewKeystore,
  setAlertSecret,
  updateKeyIndices,
} from "./keystore.js";
export {
  type ChangePassphraseOptions,
  changeKeystorePassphrase,
  type PassphraseChangeResult,
  type PassphraseChangeStep,
  passphraseChangeSteps,
  passphraseChangeTemporaryPath,
} from "./keystore-passwd.js";
export { generateMnemonic, MNEMONIC_WORD_COUNT, mnemonicToSeed, parseMnemonic } from "./mnemonic.js";
export {
  ACCEPTED_MNEMONIC_WORD_COUNTS,
  describeMnemonicProblem,
  type MnemonicProblem,
  mnemonicProblem,
  normaliseMnemonicWords,
} from "./mnemonic-validation.js";
export { deriveNostrKey, type NostrKey } from "./nostr-key.js";
export { PASSPHRASE_ENV, passphraseFromEnv, toPassphrase } from "./passphrase.js";
export {
  DEFAULT_SCRYPT_PARAMS,
  ENVELOPE_FORMAT,
  ENVELOPE_VERSION,
  type ScryptParams,
} from "./scrypt-envelope.js";
export {
  byteForms,
  knownSecretValues,
  SECRET_MARKER,
  Secret,
  SecretRegistry,
  secretBytes,
  secretRegistry,
  secretString,
} from "./secret.js";
export { deriveAgentId, deriveEncryptionKey, deriveWorkloadKey } from "./seed-hkdf.js";
