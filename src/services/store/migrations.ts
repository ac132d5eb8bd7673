import type { Database } from "better-sqlite3";
import { schemaV1 } from "./schema-v1.js";
import { schemaV2 } from "./schema-v2.js";
import { schemaV3 } from "./schema-v3.js";
import { schemaV4 } from "./schema-v4.js";
import { schemaV5 } from "./schema-v5.js";
import { schemaV6 } from "./schema-v6.js";
import { schemaV7 } from "./schema-v7.js";
import { schemaV8 } from "./schema-v8.js";
import { schemaV9 } from "./schema-v9.js";
import { SchemaTooNewError, StoreError } from "./store-errors.js";

/** One numbered schema change. Versions start at 1 and go up by one; a released migration never changes. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const schemaMigrations: readonly Migration[] = [
  { version: 1, name: "initial schema", sql: schemaV1 },
  { version: 2, name: "escrow refunds in spending", sql: schemaV2 },
  { version: 3, name: "lease ready time and health checks in provider performance", sql: schemaV3 },
  { version: 4, name: "signed cronos transactions of treasury legs", sql: schemaV4 },
  { version: 5, name: "alert incidents and durable delivery progress", sql: schemaV5 },
  { version: 6, name: "leadership generation and handover", sql: schemaV6 },
  { version: 7, name: "one snapshot row per actor, rewritten in place", sql: schemaV7 },
  { version: 8, name: "family registry: derivation index, generation and budget of children", sql: schemaV8 },
  { version: 9, name: "leadership states of upgrades: canary and standby", sql: schemaV9 },
];

/** Marks the file as this agent's database ("AKAG"), so another program's SQLite file is not migrated. */
export const APPLICATION_ID = 0x414b4147;

export interface MigrationResult {
  readonly from: number;
  readonly to: number;
  readonly applied: readonly string[];
}

function checkSequence(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new StoreError(
        `migration "${migration.name}" has version ${migration.version} at position ${index + 1}: number migrations 1, 2, 3 … in order`,
      );
    }
  });
}

function readUserVersion(db: Database): number {
  return db.pragma("user_version", { simple: true }) as number;
}

/**
 * Brings the schema up to the newest migration in one immediate transaction: either every pending
 * migration is applied and `user_version` records the last one, or nothing changes. A database whose
 * `user_version` is above the newest known migration (written by a newer agent) is refused.
 */
export function migrate(db: Database, migrations: readonly Migration[] = schemaMigrations): MigrationResult {
  checkSequence(migrations);
  const latest = migrations.length;
  const applyPending = db.transaction((): MigrationResult => {
    const applicationId = db.pragma("application_id", { simple: true }) as number;
    const from = readUserVersion(db);
    if (applicationId !== APPLICATION_ID && (applicationId !== 0 || from !== 0)) {
      throw new StoreError(
        `database ${db.name} belongs to another program (application_id ${applicationId}, user_version ${from}): point the data directory at the agent's own folder`,
      );
    }
    if (from > latest) throw new SchemaTooNewError(db.name, from, latest);
    const applied: string[] = [];
    for (const migration of migrations.slice(from)) {
      db.exec(migration.sql);
      applied.push(migration.name);
    }
    if (applied.length > 0) {
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${latest}`);
    }
    return { from, to: latest, applied };
  });
  return applyPending.immediate();
}
