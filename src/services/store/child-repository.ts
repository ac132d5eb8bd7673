import type { Database, Statement } from "better-sqlite3";
import { toAmountText } from "./amounts.js";
import { parseJsonText, toJsonText } from "./json-data.js";
import { type RepositoryDeps, requireText } from "./repository-deps.js";
import { StoreError } from "./store-errors.js";

/** A child agent this agent created. Amounts are decimal strings in the smallest unit, keyed by denom. */
export interface ChildAgent {
  readonly id: string;
  /** Its addresses by chain or network: `{ akash: "akash1…", cronos: "0x…", nostr: "npub…" }`. */
  readonly addresses: Readonly<Record<string, string>>;
  readonly role: string;
  readonly region: string | null;
  readonly dseq: string | null;
  readonly provider: string | null;
  readonly funded: Readonly<Record<string, string>>;
  readonly state: string;
  readonly lastHeartbeatAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface ChildRegistration {
  readonly id: string;
  readonly addresses: Readonly<Record<string, string>>;
  readonly role: string;
  readonly region?: string | null;
  readonly dseq?: string | null;
  readonly provider?: string | null;
  readonly state: string;
}

interface ChildRow {
  id: string;
  addresses_json: string;
  role: string;
  region: string | null;
  dseq: string | null;
  provider: string | null;
  funded_json: string;
  state: string;
  last_heartbeat_at: number | null;
  created_at: number;
  updated_at: number;
}

const toChild = (row: ChildRow): ChildAgent => ({
  id: row.id,
  addresses: parseJsonText(row.addresses_json) as Record<string, string>,
  role: row.role,
  region: row.region,
  dseq: row.dseq,
  provider: row.provider,
  funded: parseJsonText(row.funded_json) as Record<string, string>,
  state: row.state,
  lastHeartbeatAt: row.last_heartbeat_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export class ChildRepository {
  private readonly upsertRow: Statement<
    [string, string, string, string | null, string | null, string | null, string, number, number]
  >;
  private readonly getRow: Statement<[string], ChildRow>;
  private readonly allRows: Statement<[], ChildRow>;
  private readonly setStateRow: Statement<[string, number, string]>;
  private readonly heartbeatRow: Statement<[number, number, string]>;
  private readonly setFundedRow: Statement<[string, number, string]>;
  private readonly addFundingTx: (id: string, denom: string, amount: string) => ChildAgent;

  constructor(
    db: Database,
    private readonly deps: RepositoryDeps,
  ) {
    this.upsertRow = db.prepare(
      `INSERT INTO children (id, addresses_json, role, region, dseq, provider, funded_json, state, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, '{}', ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET addresses_json = excluded.addresses_json, role = excluded.role,
         region = excluded.region, dseq = excluded.dseq, provider = excluded.provider,
         state = excluded.state, updated_at = excluded.updated_at`,
    );
    this.getRow = db.prepare("SELECT * FROM children WHERE id = ?");
    this.allRows = db.prepare("SELECT * FROM children ORDER BY created_at, id");
    this.setStateRow = db.prepare("UPDATE children SET state = ?, updated_at = ? WHERE id = ?");
    // A late, reordered heartbeat never moves the time backwards.
    this.heartbeatRow = db.prepare(
      "UPDATE children SET last_heartbeat_at = max(coalesce(last_heartbeat_at, 0), ?), updated_at = ? WHERE id = ?",
    );
    this.setFundedRow = db.prepare("UPDATE children SET funded_json = ?, updated_at = ? WHERE id = ?");
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

  /** Registers a child or updates its registration (funding and heartbeat are kept). */
  register(child: ChildRegistration): ChildAgent {
    const now = this.deps.clock();
    for (const [network, address] of Object.entries(child.addresses))
      requireText(address, `${network} address`);
    this.upsertRow.run(
      requireText(child.id, "child id"),
      toJsonText(child.addresses, `addresses of child ${child.id}`),
      requireText(child.role, "child role"),
      child.region ?? null,
      child.dseq ?? null,
      child.provider ?? null,
      requireText(child.state, "child state"),
      now,
      now,
    );
    return this.require(child.id);
  }

  get(id: string): ChildAgent | undefined {
    const row = this.getRow.get(id);
    return row ? toChild(row) : undefined;
  }

  /** All children, oldest first; `state` filters to one state. */
  list(filter: { state?: string } = {}): ChildAgent[] {
    const children = this.allRows.all().map(toChild);
    return filter.state === undefined ? children : children.filter((child) => child.state === filter.state);
  }

  /** Where the living children run (provider and region), for the diversity part of bid scoring. */
  placements(): { provider: string; region: string | null }[] {
    return this.list({ state: "active" }).flatMap((child) =>
      child.provider ? [{ provider: child.provider, region: child.region }] : [],
    );
  }

  setState(id: string, state: string): ChildAgent {
    this.setStateRow.run(requireText(state, "child state"), this.deps.clock(), id);
    return this.require(id);
  }

  recordHeartbeat(id: string, at: number): ChildAgent {
    this.heartbeatRow.run(at, this.deps.clock(), id);
    return this.require(id);
  }

  /** Adds to what the child has been given in `denom` (read and written in one transaction). */
  addFunding(id: string, denom: string, amount: bigint | string): ChildAgent {
    return this.addFundingTx(id, requireText(denom, "denom"), toAmountText(amount, "funding amount"));
  }

  private require(id: string): ChildAgent {
    const found = this.get(id);
    if (!found) throw new StoreError(`no child agent "${id}" in the database: register it first`);
    return found;
  }
}
