export {
  fetchVerifiedItem,
  itemIsServed,
  postDataItem,
  type SignedItem,
  signDataItem,
  type VerifiedItem,
} from "./arweave-gateway.js";
export { type BackupHeader, openBackup, readBackupHeader, sealBackup } from "./backup-envelope.js";
export { BackupError, BackupNotFoundError, BackupRefusedError } from "./backup-errors.js";
export { type BackupCandidate, findBackupCandidates } from "./backup-graphql.js";
export {
  type BackupPointer,
  type FoundPointer,
  POINTER_D_TAG,
  POINTER_KIND,
  publishPointer,
  readPointer,
} from "./backup-pointer.js";
export { BACKUP_APP_NAME, BACKUP_CONTENT_TYPE, type BackupTag, backupTags, tagValue } from "./backup-tags.js";
export type { BackupTarget } from "./backup-target.js";
export { type ChainCheck, checkAgainstChain, type OwnerDeployments } from "./chain-freshness.js";
export {
  type BackupDeps,
  type BackupResult,
  type BackupStep,
  backupSteps,
  makeBackup,
} from "./make-backup.js";
export { type RestoreDeps, type RestoreResult, restoreBackup } from "./restore-backup.js";
export {
  BACKUP_INTENT_KIND,
  BACKUP_UPLOAD_INTENT_KIND,
  type ExportSummary,
  exportStore,
  inspectExport,
  type StoreExport,
} from "./store-export.js";
