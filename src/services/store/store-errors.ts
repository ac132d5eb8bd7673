import { AgentError } from "../../errors.js";

/** A problem with the agent's database: the message names the file or record and how to fix it. */
export class StoreError extends AgentError {}

/** The database was written by a newer agent whose schema this build does not know. */
export class SchemaTooNewError extends StoreError {
  readonly foundVersion: number;
  readonly supportedVersion: number;

  constructor(path: string, foundVersion: number, supportedVersion: number) {
    super(
      `database ${path} has schema version ${foundVersion}, newer than the ${supportedVersion} this agent supports: ` +
        "run the newer agent build that wrote it, or restore an older backup of the data directory",
    );
    this.foundVersion = foundVersion;
    this.supportedVersion = supportedVersion;
  }
}

/** A machine version's trailing number and what precedes it (`"6"` → ["", 6], `"lease-6"` → ["lease-", 6]). */
function numbered(version: string): { prefix: string; number: number } | null {
  const match = /^(.*?)(\d+)$/.exec(version);
  if (!match) return null;
  const number = Number(match[2]);
  return Number.isSafeInteger(number) ? { prefix: match[1]!, number } : null;
}

/**
 * The newest of `known` when `stored` is numerically newer than every one of them (same prefix,
 * larger trailing number), else null.
 */
function newestKnownBelow(stored: string, known: readonly string[]): string | null {
  const found = numbered(stored);
  if (!found || known.length === 0) return null;
  let newest: { version: string; number: number } | null = null;
  for (const version of known) {
    const other = numbered(version);
    if (!other || other.prefix !== found.prefix || other.number >= found.number) return null;
    if (!newest || other.number > newest.number) newest = { version, number: other.number };
  }
  return newest?.version ?? null;
}

/** The newest stored snapshot has a machine version this build can neither read nor upgrade. */
export class UnknownSnapshotVersionError extends StoreError {
  readonly storedVersion: string;
  readonly supportedVersions: readonly string[];
  /** The stored version is numerically newer than every supported one: a newer agent wrote it. */
  readonly newer: boolean;

  constructor(machineId: string, seq: number, storedVersion: string, supportedVersions: readonly string[]) {
    const newestKnown = newestKnownBelow(storedVersion, supportedVersions);
    super(
      newestKnown !== null
        ? `snapshot #${seq} of machine "${machineId}" was written by a newer agent (machine version ${storedVersion}; ` +
            `this build knows ${newestKnown}): run that version or newer, or roll back to a standby's own state`
        : `snapshot #${seq} of machine "${machineId}" has version "${storedVersion}", but this build restores only ` +
            `${supportedVersions.map((version) => `"${version}"`).join(", ")}: run an agent build that knows version ` +
            `"${storedVersion}", or add an upgrade from it, or move the data directory aside to start from scratch`,
    );
    this.storedVersion = storedVersion;
    this.supportedVersions = supportedVersions;
    this.newer = newestKnown !== null;
  }
}

/** A value meant for the database is not plain JSON data (a class instance, function, cycle, NaN …). */
export class NotJsonDataError extends StoreError {
  readonly path: string;

  constructor(what: string, path: string, found: string) {
    super(
      `${what} must be plain JSON data, but ${path} is ${found}: keep only strings, finite numbers, booleans, null, arrays and plain objects there`,
    );
    this.path = path;
  }
}

/** A snapshot about to be written contains one of the agent's secrets; it was not written. */
export class SecretInSnapshotError extends StoreError {
  readonly path: string;

  constructor(machineId: string, path: string) {
    super(
      `refused to persist the snapshot of machine "${machineId}": ${path} contains a secret; ` +
        "keep keys and passphrases out of machine context and events (hold a key id, not the key)",
    );
    this.path = path;
  }
}
