import type { Database, Statement } from "better-sqlite3";
import { toAmountText } from "./amounts.js";
import { parseJsonText, toJsonText } from "./json-data.js";
import { type RepositoryDeps, requireText } from "./repository-deps.js";
import { StoreError } from "./store-errors.js";

/** Where a child is in its life (DESIGN §13): birth, then life, then retirement. */
export const childStates = [
  "born",
  "funded",
  "deploying",
  "active",
  "silent",
  "resurrecting",
  "retiring",
  "retired",
  "failed",
] as const;
export type ChildState = (typeof childStates)[number];

export function isChildState(value: unknown): value is ChildState {
  return typeof value === "string" && (childStates as readonly string[]).includes(value);
}

/** A child's addresses: `akash1…`, its Nostr key as `npub1…`, and its Cronos `0x…` once it has one. */
export interface ChildAddresses {
  readonly akash: string;
  readonly nostr: string;
  readonly cronos?: string;
  readonly [network: string]: string | undefined;
}

/** What the parent granted the child on chain. Amounts are decimal strings; `expiresAt` is UTC ms. */
export interface ChildBudget {
  /** The escrow DepositAuthorization's spend limit, uact. */
  readonly limitUact: string;
  /** The feegrant BasicAllowance's spend limit, uakt. */
  readonly feeLimitUakt: string;
  readonly expiresAt: number;
}

/** A child agent this agent created. Public data only: never a key or a mnemonic. */
export interface ChildAgent {
  /** The child's agentId. */
  readonly id: string;
  /** Its BIP-85 derivation index; null for a row from before the registry kept one. */
  readonly index: number | null;
  readonly addresses: Readonly<Record<string, string>>;
  readonly role: string;
  readonly region: string | null;
  readonly dseq: string | null;
  readonly provider: string | null;
  /** Leadership generation of its current instance (a resurrection or handover raises it). */
  readonly generation: number;
  readonly state: ChildState;
  readonly budget: ChildBudget | null;
  /** What the child was given outside the grants, per denom (e.g. CRO for its treasury). */
  readonly funded: Readonly<Record<string, string>>;
  readonly lastHeartbeatAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface ChildRegistration {
  /** The BIP-85 index the child's mnemonic derives at. */
  readonly index: number;
  readonly id: string;
  readonly addresses: ChildAddresses;
  readonly role: string;
  readonly region?: string | null;
  readonly state?: ChildState;
}

/** Where the child's deployment runs now. */
export interface ChildLease {
  readonly dseq: string;
  readonly provider: string;
  readonly generation: number;
}

interface ChildRow {
  id: string;
  derivation_index: number | null;
  addresses_json: string;
  role: string;
  region: string | null;
  dseq: string | null;
  provider: string | null;
  generation: number;
  funded_json: string;
  budget_json: string | null;
  state: string;
  last_heartbeat_at: number | null;
  created_at: number;
  updated_at: number;
}

function toChild(row: ChildRow): ChildAgent {
  if (!isChildState(row.state)) {
    throw new StoreError(`child "${row.id}" has the unknown state "${row.state}" in the database`);
  }
  return {
    id: row.id,
    index: row.derivation_index,
    addresses: parseJsonText(row.addresses_json) as Record<string, string>,
    role: row.role,
    region: row.region,
    dseq: row.dseq,
    provider: row.provider,
    generation: row.generation,
    state: row.state,
    budget: row.budget_json === null ? null : (parseJsonText(row.budget_json) as unknown as ChildBudget),
    funded: parseJsonText(row.funded_json) as Record<string, string>,
    lastHeartbeatAt: row.last_heartbeat_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function requireIndex(index: number, field: string): number {
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new TypeError(`${field} must be an integer ≥ 0, not ${index}`);
  }
  return index;
}

function requireState(state: ChildState): ChildState {
  if (!isChildState(state)) {
    throw new TypeError(`child state must be one of ${childStates.join(", ")}, not "${String(state)}"`);
  }
  return state;
}

const DIGITS = /^\d+$/;

function requireBudget(budget: ChildBudget): ChildBudget {
  for (const field of ["limitUact", "feeLimitUakt"] as const) {
    if (typeof budget[field] !== "string" || !DIGITS.test(budget[field])) {
      throw new TypeError(`budget.${field} must be a whole amount in digits, not ${String(budget[field])}`);
    }
  }
  if (!Number.isSafeInteger(budget.expiresAt) || budget.expiresAt <= 0) {
    throw new TypeError(`budget.expiresAt must be a time in UTC ms, not ${budget.expiresAt}`);
  }
  return { limitUact: budget.limitUact, feeLimitUakt: budget.feeLimitUakt, expiresAt: budget.expiresAt };
}

/** The parent's registry of its children (DESIGN §13): one row per child, keyed by agentId and index. */
export class ChildRepository {
  private readonly insertRow: Statement<
    [string, number, string, string, string | null, string, number, number]
  >;
  private readonly getRow: Statement<[string], ChildRow>;
  private readonly indexRow: Statement<[number], ChildRow>;
  private readonly allRows: Statement<[], ChildRow>;
  private readonly maxIndex: Statement<[], { next: number }>;
  private readonly setStateRow: Statement<[string, number, string]>;
  private readonly leaseRow: Statement<[string, string, number, number, string]>;
  private readonly budgetRow: Statement<[string, number, string]>;
  private readonly heartbeatRow: Statement<[number, number, string]>;
  private readonly setFundedRow: Statement<[string, number, string]>;
  private readonly registerTx: (child: ChildRegistration) => ChildAgent;
  private readonly addFundingTx: (id: string, denom: string, amount: string) => ChildAgent;

  constructor(
    db: Database,
    private readonly deps: RepositoryDeps,
  ) {
    this.insertRow = db.prepare(
      `INSERT INTO children (id, derivation_index, addresses_json, role, region, funded_json, state, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, '{}', ?, ?, ?)`,
    );
    this.getRow = db.prepare("SELECT * FROM children WHERE id = ?");
    this.indexRow = db.prepare("SELECT * FROM children WHERE derivation_index = ?");
    this.allRows = db.prepare("SELECT * FROM children ORDER BY created_at, id");
    this.maxIndex = db.prepare("SELECT coalesce(max(derivation_index) + 1, 0) AS next FROM children");
    this.setStateRow = db.prepare("UPDATE children SET state = ?, updated_at = ? WHERE id = ?");
    this.leaseRow = db.prepare(
      "UPDATE children SET dseq = ?, provider = ?, generation = ?, updated_at = ? WHERE id = ?",
    );
    this.budgetRow = db.prepare("UPDATE children SET budget_json = ?, updated_at = ? WHERE id = ?");
    // A late, reordered heartbeat never moves the time backwards.
    this.heartbeatRow = db.prepare(
      "UPDATE children SET last_heartbeat_at = max(coalesce(last_heartbeat_at, 0), ?), updated_at = ? WHERE id = ?",
    );
    this.setFundedRow = db.prepare("UPDATE children SET funded_json = ?, updated_at = ? WHERE id = ?");
    this.registerTx = db.transaction((child: ChildRegistration) => {
      const byIndex = this.byIndex(child.index);
      const byId = this.byId(child.id);
      if (byIndex && byIndex.id === child.id) return byIndex;
      if (byIndex || byId) {
        throw new StoreError(
          byIndex
            ? `child index ${child.index} is already "${byIndex.id}", not "${child.id}": derive the child's identity from the same parent mnemonic`
            : `child "${child.id}" is already registered at index ${byId?.index ?? "none"}, not ${child.index}`,
        );
      }
      const now = this.deps.clock();
      this.insertRow.run(
        child.id,
        child.index,
        toJsonText({ ...child.addresses }, `addresses of child ${child.id}`),
        child.role,
        child.region ?? null,
        child.state ?? "born",
        now,
        now,
      );
      return this.require(child.id);
    });
    this.addFundingTx = db.transaction((id: string, denom: string, amount: string) => {
      const child = this.require(id);
      const funded = {
        ...child.funded,
        [denom]: (BigInt(child.funded[denom] ?? "0") + BigInt(amount)).toString(),
      };
      this.setFundedRow.run(toJsonText(funded, "child funding"), this.deps.clock(), id);
      return this.require(id);
    });
  }

  /**
   * Registers a child (state `born` unless given). Idempotent on the index: registering the same
   * index and id again returns the row as it is (a birth run again after a crash does not reset it);
   * the same index with another id, or the same id at another index, is refused.
   */
  register(child: ChildRegistration): ChildAgent {
    requireIndex(child.index, "child index");
    requireText(child.id, "child id");
    requireText(child.role, "child role");
    requireText(child.addresses?.akash, "akash address");
    requireText(child.addresses?.nostr, "nostr address");
    for (const [network, address] of Object.entries(child.addresses))
      if (address !== undefined) requireText(address, `${network} address`);
    if (child.state !== undefined) requireState(child.state);
    return this.registerTx(child);
  }

  byId(id: string): ChildAgent | undefined {
    const row = this.getRow.get(id);
    return row ? toChild(row) : undefined;
  }

  byIndex(index: number): ChildAgent | undefined {
    const row = this.indexRow.get(requireIndex(index, "child index"));
    return row ? toChild(row) : undefined;
  }

  /** Every child, oldest first. */
  all(): ChildAgent[] {
    return this.allRows.all().map(toChild);
  }

  /** The children in one state (every child without a filter), oldest first. */
  list(filter: { state?: ChildState } = {}): ChildAgent[] {
    const children = this.all();
    return filter.state === undefined ? children : children.filter((child) => child.state === filter.state);
  }

  /** The index the next child derives at: one above the highest used, 0 for the first. */
  nextIndex(): number {
    return this.maxIndex.get()?.next ?? 0;
  }

  /** Where the living children run (provider and region), for the diversity part of bid scoring. */
  placements(): { provider: string; region: string | null }[] {
    return this.list({ state: "active" }).flatMap((child) =>
      child.provider ? [{ provider: child.provider, region: child.region }] : [],
    );
  }

  setState(id: string, state: ChildState): ChildAgent {
    this.setStateRow.run(requireState(state), this.deps.clock(), id);
    return this.require(id);
  }

  /** The child's deployment: its dseq, its provider and the generation that leads it. */
  recordLease(id: string, lease: ChildLease): ChildAgent {
    this.leaseRow.run(
      requireText(lease.dseq, "dseq"),
      requireText(lease.provider, "provider"),
      requireIndex(lease.generation, "generation"),
      this.deps.clock(),
      id,
    );
    return this.require(id);
  }

  /** What the parent granted the child (limits and expiry of both grants). */
  setBudget(id: string, budget: ChildBudget): ChildAgent {
    this.budgetRow.run(toJsonText(requireBudget(budget), `budget of child ${id}`), this.deps.clock(), id);
    return this.require(id);
  }

  /** A heartbeat of the child seen at `at` (UTC ms); an older one than the last changes nothing. */
  noteHeartbeat(id: string, at: number): ChildAgent {
    this.heartbeatRow.run(at, this.deps.clock(), id);
    return this.require(id);
  }

  /** Adds to what the child has been given in `denom` (read and written in one transaction). */
  addFunding(id: string, denom: string, amount: bigint | string): ChildAgent {
    return this.addFundingTx(id, requireText(denom, "denom"), toAmountText(amount, "funding amount"));
  }

  private require(id: string): ChildAgent {
    const found = this.byId(id);
    if (!found) throw new StoreError(`no child agent "${id}" in the database: register it first`);
    return found;
  }
}
