import type { Database } from "better-sqlite3";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { InspectionEvent } from "xstate";
import type { AgentVersion } from "../domain/index.js";
import type { HealthReport } from "../machines/health/health.types.js";
import type { BidSummary } from "../machines/lease/lease.types.js";
import type { Balances } from "../machines/treasury/treasury.types.js";
import type { RelayTraffic } from "../services/relay/index.js";

/** What the metrics read at scrape time: the running agent, its relay and its store. */
export interface AgentMetricsSources {
  /** Every top-level state of the lease machine (one series each, so label values are bounded). */
  readonly leaseStates: readonly string[];
  /** The lease machine's top-level state, or null before it runs. */
  leaseState(): string | null;
  escrowRunwayHours(): number | null;
  balances(): Balances | null;
  bids(): { bids: BidSummary[]; chosen: BidSummary | null };
  lastHealthReport(): HealthReport | null;
  persistenceWrites(): number;
  relayTraffic(): RelayTraffic | null;
  /** The agent's database (alerts, intents). */
  db(): Database | null;
  /** Which build runs (one series, `akash_agent_info`). */
  readonly version: AgentVersion;
}

/** Actors whose transitions are counted by name; any other counts as "other". */
const KNOWN_ACTORS = new Set(["agent", "lease", "health", "keys", "treasury", "reproduction", "alerts"]);
const SEVERITIES = ["low", "medium", "high", "critical"] as const;
/** Intent kinds are a fixed vocabulary of the code; more than this many distinct ones collapse into "other". */
const MAX_TX_KINDS = 32;

function boundedKind(seen: Set<string>, kind: string): string {
  if (seen.has(kind)) return kind;
  if (seen.size >= MAX_TX_KINDS) return "other";
  seen.add(kind);
  return kind;
}

const toUnits = (amount: string | null | undefined, decimals: number): number | null =>
  amount === null || amount === undefined ? null : Number(amount) / 10 ** decimals;

/**
 * The agent's Prometheus metrics (prom-client): gauges read at scrape time from the running agent,
 * counters fed by the inspection stream. No label takes an unbounded value (no addresses, no ids),
 * and nothing secret is read.
 */
export class AgentMetrics {
  readonly registry = new Registry();
  private readonly transitions: Counter<"actor">;
  private readonly events: Counter<"type">;
  private readonly txLatency: Histogram<"kind">;
  private readonly txFailures: Counter<"kind">;
  private readonly txKinds = new Set<string>();
  private txWatermark: number;

  constructor(
    private readonly sources: AgentMetricsSources,
    options: { defaultMetrics?: boolean; now?: () => number } = {},
  ) {
    const registers = [this.registry];
    this.txWatermark = (options.now ?? Date.now)();
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });

    new Gauge({
      name: "akash_agent_info",
      help: "1, labelled with the running build: its package version and the image it runs as",
      labelNames: ["version", "image"],
      registers,
    }).set({ version: sources.version.package, image: sources.version.image }, 1);
    new Gauge({
      name: "akash_agent_lease_state",
      help: "1 for the lease machine's current top-level state, 0 for the others",
      labelNames: ["state"],
      registers,
      collect() {
        const current = sources.leaseState();
        for (const state of sources.leaseStates) this.set({ state }, state === current ? 1 : 0);
      },
    });
    new Gauge({
      name: "akash_agent_escrow_runway_hours",
      help: "Hours the deployment's escrow lasts at the lease's price",
      registers,
      collect() {
        const hours = sources.escrowRunwayHours();
        if (hours === null) this.reset();
        else this.set(hours);
      },
    });
    new Gauge({
      name: "akash_agent_balance",
      help: "The agent's wallet balances in whole units (AKT, ACT, CRO; CRO only with a payment key)",
      labelNames: ["denom"],
      registers,
      collect() {
        this.reset();
        const balances = sources.balances();
        if (!balances) return;
        const amounts: Record<string, number | null> = {
          akt: toUnits(balances.uakt, 6),
          act: toUnits(balances.uact, 6),
          cro: toUnits(balances.croWei, 18),
        };
        for (const [denom, value] of Object.entries(amounts)) if (value !== null) this.set({ denom }, value);
      },
    });
    new Gauge({
      name: "akash_agent_bids_seen",
      help: "Bids collected in the lease's last bid round",
      registers,
      collect() {
        this.set(sources.bids().bids.length);
      },
    });
    new Gauge({
      name: "akash_agent_bid_score",
      help: "Scores of the last bid round: the chosen bid's, the best and the worst",
      labelNames: ["bid"],
      registers,
      collect() {
        this.reset();
        const { bids, chosen } = sources.bids();
        const scores = bids.map((bid) => bid.score).filter((score): score is number => score !== undefined);
        if (scores.length > 0) {
          this.set({ bid: "best" }, Math.max(...scores));
          this.set({ bid: "worst" }, Math.min(...scores));
        }
        if (chosen?.score !== undefined) this.set({ bid: "chosen" }, chosen.score);
      },
    });
    this.txLatency = new Histogram({
      name: "akash_agent_tx_latency_seconds",
      help: "Time from recording a transaction's intent to its inclusion, by intent kind",
      labelNames: ["kind"],
      buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
      registers,
    });
    this.txFailures = new Counter({
      name: "akash_agent_tx_failures_total",
      help: "Transactions that ended failed, by intent kind",
      labelNames: ["kind"],
      registers,
    });
    new Gauge({
      name: "akash_agent_health_check",
      help: "The last health check's findings (1 yes / 0 no, services as counts)",
      labelNames: ["finding"],
      registers,
      collect() {
        this.reset();
        const report = sources.lastHealthReport();
        if (!report) return;
        this.set({ finding: "provider_reachable" }, report.provider.reachable ? 1 : 0);
        this.set({ finding: "provider_responsive" }, report.provider.responsive ? 1 : 0);
        this.set({ finding: "services_ready" }, report.services.ready);
        this.set({ finding: "services_total" }, report.services.total);
        if (report.usage) {
          this.set({ finding: "cpu_percent" }, report.usage.cpuPercent);
          this.set({ finding: "memory_percent" }, report.usage.memoryPercent);
          this.set({ finding: "disk_percent" }, report.usage.diskPercent);
        }
      },
    });
    this.events = new Counter({
      name: "akash_agent_health_events_total",
      help: "Health findings the monitor reported to the agent, by event type",
      labelNames: ["type"],
      registers,
    });
    this.transitions = new Counter({
      name: "akash_agent_transitions_total",
      help: "Settled steps (snapshots) of each actor of the agent",
      labelNames: ["actor"],
      registers,
    });
    new Counter({
      name: "akash_agent_persistence_writes_total",
      help: "Snapshot rows written to the agent's store by this process",
      registers,
      collect() {
        this.reset();
        this.inc(sources.persistenceWrites());
      },
    });
    new Gauge({
      name: "akash_agent_alerts",
      help: "Alerts raised (stored in the agent's database), by severity",
      labelNames: ["severity"],
      registers,
      collect() {
        const db = sources.db();
        const counts = new Map<string, number>();
        if (db?.open) {
          const rows = db
            .prepare<[], { severity: string; n: number }>(
              "SELECT severity, COUNT(*) AS n FROM alerts GROUP BY severity",
            )
            .all();
          for (const row of rows) counts.set(row.severity, row.n);
        }
        for (const severity of SEVERITIES) this.set({ severity }, counts.get(severity) ?? 0);
      },
    });
    const relay = (read: (traffic: RelayTraffic) => number) =>
      function (this: Gauge) {
        const traffic = sources.relayTraffic();
        if (traffic) this.set(read(traffic));
      };
    new Gauge({
      name: "akash_agent_relay_events_per_second",
      help: "Events the relay accepted per second (10 s window)",
      registers,
      collect: relay((t) => t.eventsPerSecond),
    });
    new Gauge({
      name: "akash_agent_relay_connections",
      help: "Open WebSocket connections to the relay",
      registers,
      collect: relay((t) => t.openConnections),
    });
    new Gauge({
      name: "akash_agent_relay_stored_bytes",
      help: "Bytes the relay's event store takes",
      registers,
      collect: relay((t) => t.storedBytes),
    });
    new Gauge({
      name: "akash_agent_relay_events_accepted",
      help: "Events the relay accepted since it started",
      registers,
      collect: relay((t) => t.eventsAccepted),
    });
    new Gauge({
      name: "akash_agent_relay_events_refused",
      help: "Events the relay refused since it started",
      registers,
      collect: relay((t) => t.eventsRefused),
    });
  }

  /** Feed of the agent system's inspection events. */
  inspect(event: InspectionEvent): void {
    if (event.type === "@xstate.snapshot") {
      const id = (event.actorRef as { id?: string }).id ?? "other";
      this.transitions.inc({ actor: KNOWN_ACTORS.has(id) ? id : "other" });
      return;
    }
    if (event.type === "@xstate.event" && event.event.type.startsWith("HEALTH.")) {
      const target = (event.actorRef as { id?: string }).id;
      if (target === "agent") this.events.inc({ type: event.event.type });
    }
  }

  /** Prometheus text exposition of every metric. */
  async render(): Promise<{ contentType: string; body: string }> {
    this.collectTransactions();
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Observes the transactions that settled since the last scrape (from the intents table). */
  private collectTransactions(): void {
    const db = this.sources.db();
    if (!db?.open) return;
    const rows = db
      .prepare<[number], { kind: string; state: string; created_at: number; updated_at: number }>(
        "SELECT kind, state, created_at, updated_at FROM intents WHERE state <> 'pending' AND updated_at > ? ORDER BY updated_at",
      )
      .all(this.txWatermark);
    for (const row of rows) {
      const kind = boundedKind(this.txKinds, row.kind);
      if (row.state === "done") this.txLatency.observe({ kind }, (row.updated_at - row.created_at) / 1000);
      else this.txFailures.inc({ kind });
      this.txWatermark = Math.max(this.txWatermark, row.updated_at);
    }
  }
}
