/**
 * Persistence benchmark: persisted transitions per second and the cost of persisting every step,
 * for 1 agent and for 1,000 agents in one process. Prints figures; asserts nothing.
 *
 *   npx tsx bench/run.ts                        (about a minute)
 *   BENCH_SCALE=0.2 npx tsx bench/run.ts        (fewer cycles, for a quick look)
 *   BENCH_DB_PER_AGENT=1 npx tsx bench/run.ts   (adds 1,000 agents with one database each: +40 s)
 */
import { cpus, tmpdir } from "node:os";
import { type Figures, runScenario, type Scenario, type Storage } from "./persistence-throughput.js";

const scale = Number(process.env.BENCH_SCALE ?? 1);
const cycles = (n: number) => Math.max(2, Math.round(n * scale));

function storageLabel(storage: Storage, agents: number): string {
  switch (storage.kind) {
    case "memory":
      return "in memory";
    case "shared-db":
      return agents === 1 ? `SQLite, ${storage.synchronous}` : `one shared DB, ${storage.synchronous}`;
    case "db-per-agent":
      return `one DB per agent, ${storage.synchronous}`;
  }
}

const pad = (text: string, width: number) => text.padStart(width);
const columns = [
  ["agents", 6],
  ["storage", 24],
  ["transitions", 11],
  ["wall ms", 9],
  ["transitions/s", 13],
  ["snapshot writes", 15],
  ["writes/s", 9],
  ["KB/snapshot", 11],
  ["overhead", 9],
  ["µs/write", 8],
] as const;

function row(figures: Figures, baseline: Figures | undefined): string {
  const { scenario, transitions, wallMs, snapshotWrites, snapshotBytes } = figures;
  const seconds = wallMs / 1000;
  const persisted = baseline !== undefined && scenario.storage.kind !== "memory";
  const extraMs = persisted ? wallMs - baseline.wallMs : 0;
  const overhead = persisted ? `${((extraMs / baseline.wallMs) * 100).toFixed(0)} %` : "—";
  const perWrite = persisted && snapshotWrites > 0 ? ((extraMs * 1000) / snapshotWrites).toFixed(0) : "—";
  const cells = [
    String(scenario.agents),
    storageLabel(scenario.storage, scenario.agents),
    String(transitions),
    wallMs.toFixed(0),
    Math.round(transitions / seconds).toLocaleString("en-US"),
    String(snapshotWrites),
    snapshotWrites ? Math.round(snapshotWrites / seconds).toLocaleString("en-US") : "—",
    snapshotBytes ? (snapshotBytes / 1024).toFixed(1) : "—",
    overhead,
    perWrite,
  ];
  return cells.map((cell, index) => pad(cell, columns[index]![1])).join("  ");
}

async function main(): Promise<void> {
  console.log(
    `Persistence bench — node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? "cpu"}, data in ${tmpdir()}`,
  );
  console.log(
    "Each cycle moves the simulated clock one health interval: every agent runs a health check, and on every\n" +
      "other cycle an escrow top-up (lease → agent → treasury → ensureAct → depositEscrow → grant → lease).\n" +
      "Effects resolve at once, so the figures are the machines plus persistence, no I/O of the effects.\n",
  );
  // Warm the JIT so the first measured run is not paying for it.
  await runScenario({ agents: 1, cycles: 100, storage: { kind: "memory" } });

  const groups: Scenario[][] = [
    [
      { agents: 1, cycles: cycles(2_000), storage: { kind: "memory" } },
      { agents: 1, cycles: cycles(2_000), storage: { kind: "shared-db", synchronous: "FULL" } },
      { agents: 1, cycles: cycles(2_000), storage: { kind: "shared-db", synchronous: "NORMAL" } },
    ],
    [
      { agents: 1_000, cycles: cycles(10), storage: { kind: "memory" } },
      { agents: 1_000, cycles: cycles(10), storage: { kind: "shared-db", synchronous: "NORMAL" } },
      ...(process.env.BENCH_DB_PER_AGENT === "1"
        ? [
            {
              agents: 1_000,
              cycles: cycles(10),
              storage: { kind: "db-per-agent", synchronous: "NORMAL" },
            } as const,
          ]
        : []),
    ],
  ];

  console.log(columns.map(([name, width]) => pad(name, width)).join("  "));
  for (const group of groups) {
    let baseline: Figures | undefined;
    for (const scenario of group) {
      const figures = await runScenario(scenario);
      if (scenario.storage.kind === "memory") baseline = figures;
      console.log(row(figures, baseline));
    }
  }
  console.log(
    "\noverhead = extra wall time against the in-memory run of the same agents and cycles (same transitions);\n" +
      "µs/write = that extra time per snapshot write (getPersistedSnapshot, JSON, insert + prune, commit).\n" +
      "1 agent: FULL is the store's default (each commit synced); 1,000 agents: NORMAL, as the store advises for\n" +
      "many agents per process. Shared DB = one SQLite file, machineId per agent (one write transaction per\n" +
      "agent step, as each agent's persister writes on its own); DB per agent = 1,000 files (BENCH_DB_PER_AGENT=1).",
  );
}

await main();
