import type { Database, Statement } from "better-sqlite3";
import type { RepositoryDeps } from "./repository-deps.js";
import { StoreError } from "./store-errors.js";

export const leadershipStates = [
  "leading",
  "handing_over",
  "handed_over",
  "superseded",
  /** An upgrade's trial instance: it holds the state but does not act (issue 18). */
  "canary",
  /** The old instance after an upgrade's handover: it does not act, and may take the agent back. */
  "standby",
] as const;
export type LeadershipState = (typeof leadershipStates)[number];

/** Where the leader of a generation runs: its deployment and the URI of its page, API and relay. */
export interface LeaderLocation {
  readonly dseq: string;
  readonly provider: string;
  readonly uri: string;
}

export interface Leadership {
  /** 0 for an agent that never handed over; each handover or take-back adds one. */
  readonly generation: number;
  readonly state: LeadershipState;
  /**
   * `handing_over`/`handed_over`: the instance the agent hands over to (generation + 1 leads there);
   * `leading`: where this instance runs, when it runs in a lease; `superseded`: the newer leader if known.
   */
  readonly leader: LeaderLocation | null;
  readonly updatedAt: number;
}

interface LeadershipRow {
  generation: number;
  state: LeadershipState;
  leader_json: string | null;
  updated_at: number;
}

/** A store that never recorded leadership leads as generation 0 (every store before schema 6). */
const NEVER_HANDED_OVER: Leadership = { generation: 0, state: "leading", leader: null, updatedAt: 0 };

/** The store's single leadership row. */
export class LeadershipRepository {
  private readonly readRow: Statement<[], LeadershipRow>;
  private readonly writeRow: Statement<[number, LeadershipState, string | null, number]>;
  /** Why new effects wait (in memory only: a restart clears it, and the handover that set it runs again). */
  private pausedFor: string | null = null;
  /** Effects (transactions, Cronos legs) this process is running now. */
  private running = 0;

  constructor(
    db: Database,
    private readonly deps: RepositoryDeps,
  ) {
    this.readRow = db.prepare(
      "SELECT generation, state, leader_json, updated_at FROM leadership WHERE id = 1",
    );
    this.writeRow = db.prepare(
      `INSERT INTO leadership (id, generation, state, leader_json, updated_at) VALUES (1, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET generation = excluded.generation, state = excluded.state,
         leader_json = excluded.leader_json, updated_at = excluded.updated_at`,
    );
  }

  current(): Leadership {
    const row = this.readRow.get();
    if (!row) return NEVER_HANDED_OVER;
    return {
      generation: row.generation,
      state: row.state,
      leader: row.leader_json === null ? null : (JSON.parse(row.leader_json) as LeaderLocation),
      updatedAt: row.updated_at,
    };
  }

  /** Whether this store's agent may act (send transactions, move funds): only while it leads. */
  acting(): boolean {
    return this.current().state === "leading";
  }

  /**
   * Holds back every new effect while a self-migration exports this store (DESIGN §12): an effect
   * begun after the export would be missing from the next leader's state. Effects already recorded
   * finish; the ones refused meanwhile are retried, here or by the next leader.
   */
  pauseEffects(reason: string): void {
    this.pausedFor = reason;
  }

  resumeEffects(): void {
    this.pausedFor = null;
  }

  /** Counts `effect` as running until it settles (check `effectRefusal` first, in the same tick). */
  async track<T>(effect: () => Promise<T>): Promise<T> {
    this.running += 1;
    try {
      return await effect();
    } finally {
      this.running -= 1;
    }
  }

  /** How many effects this process is running now: a handover exports the state when none is. */
  effectsRunning(): number {
    return this.running;
  }

  /**
   * Why a new effect must not start now, or null when it may: `final` when this store no longer leads
   * (it never acts again), not final while effects are paused for a handover.
   */
  effectRefusal(): { readonly reason: string; readonly final: boolean } | null {
    const { state, generation } = this.current();
    if (state !== "leading") {
      const what =
        state === "superseded"
          ? "was superseded"
          : state === "canary"
            ? "is an upgrade's canary"
            : state === "standby"
              ? "stands by after an upgrade"
              : "handed over";
      return {
        reason: `this instance ${what} (generation ${generation}) and no longer acts for the agent`,
        final: true,
      };
    }
    if (this.pausedFor !== null) return { reason: `effects are paused: ${this.pausedFor}`, final: false };
    return null;
  }

  /**
   * Records a new leadership state. The generation never goes down: a store that saw generation g
   * cannot be talked back into an older one.
   */
  record(next: { generation: number; state: LeadershipState; leader: LeaderLocation | null }): Leadership {
    const now = this.current();
    if (!Number.isInteger(next.generation) || next.generation < now.generation) {
      throw new StoreError(
        `leadership generation ${next.generation} is older than the recorded ${now.generation}: refusing to go back`,
      );
    }
    const updatedAt = this.deps.clock();
    this.writeRow.run(
      next.generation,
      next.state,
      next.leader === null ? null : JSON.stringify(next.leader),
      updatedAt,
    );
    return { ...next, updatedAt };
  }
}
