/**
 * Persistence benchmark: persisted transitions per second and the cost of persisting every step,
 * for 1 agent and for 1,000 agents in one process. Prints figures; asserts nothing.
 *
 *   npx tsx bench/run.ts                        (about a minute)
 *   BENCH_SCALE=0.2 npx tsx bench/run.ts        (fewer cycles, for a quick look)
 *   BENCH_DB_PER_AGENT=1 npx tsx bench/run.ts   (adds 1,000 agents with one database each: +40 s)
 */
import { cpus, tmpdir } from "node:os";
import type { SynchronousMode } from "../src/services/store/index.js";
import {
  type Figures,
  runScenario,
  type Scenario,
  type Storage,
  type WriteMode,
} from "./persistence-throughput.js";

const scale = Number(process.env.BENCH_SCALE ?? 1);
const cycles = (n: number) => Math.max(2, Math.round(n * scale));

function storageLabel(storage: Storage, agents: number): string {
  switch (storage.kind) {
    case "memory":
      return "in memory";
    case "shared-db":
      return `${agents === 1 ? "SQLite" : "shared DB"}, ${storage.synchronous}, ${storage.writes}`;
    case "db-per-agent":
      return `DB per agent, ${storage.synchronous}, ${storage.writes}`;
  }
}

const pad = (text: string, width: number) => text.padStart(width);
const columns = [
  ["agents", 6],
  ["storage", 30],
  ["transitions", 11],
  ["wall ms", 9],
  ["transitions/s", 13],
  ["snapshot writes", 15],
  ["transactions", 12],
  ["writes/s", 9],
  ["KB/snapshot", 11],
  ["overhead", 9],
  ["× in memory", 11],
  ["µs/write", 8],
] as const;

function row(figures: Figures, baseline: Figures | undefined): string {
  const { scenario, transitions, wallMs, snapshotWrites, transactions, snapshotBytes } = figures;
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
    persisted ? String(transactions) : "—",
    snapshotWrites ? Math.round(snapshotWrites / seconds).toLocaleString("en-US") : "—",
    snapshotBytes ? (snapshotBytes / 1024).toFixed(1) : "—",
    overhead,
    persisted ? `×${(wallMs / baseline.wallMs).toFixed(2)}` : "×1.00",
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

  const memory = { kind: "memory" } as const;
  const db = (synchronous: SynchronousMode, writes: WriteMode) =>
    ({ kind: "shared-db", synchronous, writes }) as const;
  const one = (storage: Storage): Scenario => ({ agents: 1, cycles: cycles(2_000), storage });
  const many = (storage: Storage): Scenario => ({ agents: 1_000, cycles: cycles(10), storage });
  // Each group is measured in memory before and after its persisted runs (the machine may be busy with
  // other work); the faster in-memory run is the baseline, so load during the group cannot flatter it.
  const groups: Scenario[][] = [
    [
      one(db("FULL", "barriers")),
      one(db("NORMAL", "barriers")),
      one(db("FULL", "every-step")),
      one(db("NORMAL", "every-step")),
    ],
    [
      many(db("NORMAL", "barriers")),
      many(db("NORMAL", "every-step")),
      ...(process.env.BENCH_DB_PER_AGENT === "1"
        ? [many({ kind: "db-per-agent", synchronous: "NORMAL", writes: "barriers" })]
        : []),
    ],
  ];

  console.log(columns.map(([name, width]) => pad(name, width)).join("  "));
  const results: Figures[][] = [];
  for (const group of groups) {
    const sample = group[0]!;
    const before = await runScenario({ ...sample, storage: memory });
    const measured: Figures[] = [];
    for (const scenario of group) measured.push(await runScenario(scenario));
    const after = await runScenario({ ...sample, storage: memory });
    const baseline = before.wallMs <= after.wallMs ? before : after;
    console.log(row(before, undefined));
    console.log(row(after, undefined));
    for (const figures of measured) console.log(row(figures, baseline));
    results.push([baseline, ...measured]);
  }
  console.log(
    "\noverhead = extra wall time against the faster in-memory run of the same agents and cycles (same transitions);\n" +
      "× in memory = persisted wall time over that baseline; µs/write = the extra time per snapshot write.\n" +
      "barriers = DESIGN §17 (written when an effect starts or an input is journaled, readings blanked, one\n" +
      "transaction per tick for every agent at a barrier in a shared DB); every-step = each settled step of each\n" +
      "agent written in its own transaction, as before. FULL syncs each commit (the store's default), NORMAL\n" +
      "survives a killed process (the crash matrix's guarantee) but may lose the last commits on power loss.",
  );

  const [single, fleet] = results;
  const overheadOf = (figures: Figures | undefined, baseline: Figures | undefined) =>
    figures && baseline ? (figures.wallMs / baseline.wallMs - 1) * 100 : Number.NaN;
  const perSecond = (figures: Figures | undefined) =>
    figures ? figures.transitions / (figures.wallMs / 1000) : Number.NaN;
  const say = (label: string, value: number, target: string, met: boolean, unit = "") =>
    console.log(`  ${label}: ${value.toFixed(0)}${unit} (target ${target}) — ${met ? "met" : "NOT met"}`);
  console.log("\nTargets (issue 16), each against the baseline measured in this run:");
  const fullOverhead = overheadOf(single?.[1], single?.[0]);
  const normalOverhead = overheadOf(single?.[2], single?.[0]);
  say("1 agent, barriers, FULL: overhead vs in memory", fullOverhead, "≤ 20 %", fullOverhead <= 20, " %");
  say(
    "1 agent, barriers, NORMAL: overhead vs in memory",
    normalOverhead,
    "≤ 20 %",
    normalOverhead <= 20,
    " %",
  );
  console.log(
    `    (every step, as before: FULL ${overheadOf(single?.[3], single?.[0]).toFixed(0)} %, NORMAL ${overheadOf(single?.[4], single?.[0]).toFixed(0)} %)`,
  );
  const fleetRate = perSecond(fleet?.[1]);
  say("1,000 agents, one DB, barriers: persisted transitions/s", fleetRate, "≥ 10,000", fleetRate >= 10_000);
  console.log(
    `    (in memory ${perSecond(fleet?.[0]).toFixed(0)}/s, ×${(fleetRate / perSecond(fleet?.[0])).toFixed(2)}; every step, as before: ${perSecond(fleet?.[2]).toFixed(0)}/s, barriers ×${(fleetRate / perSecond(fleet?.[2])).toFixed(2)} of it)`,
  );
}

await main();
