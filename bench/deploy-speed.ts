/**
 * Deploy speed: blocks and wall time from a deploy request to an active lease at a 1 s block time,
 * for the agent (the real CLI, default settings) beside the same deploy done the usual way with
 * chain-sdk (separate transactions, everything polled every few seconds). Prints figures; asserts
 * nothing. Needs the built CLI:
 *
 *   npm run build && npx tsx bench/deploy-speed.ts
 *   BENCH_RUNS=10 BENCH_POLL_MS=5000 npx tsx bench/deploy-speed.ts   (more runs, a slower tenant script)
 *   BENCH_BLOCK_MS=6000 npx tsx bench/deploy-speed.ts                 (mainnet-like blocks: minutes per run)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDevnet } from "../src/devnet/index.js";
import { OwnerChainReader } from "../support/owner-chain-footprint.js";
import { timeAgentDeploy } from "./deploy-agent-run.js";
import { type DeployTiming, type Spread, spread } from "./deploy-timing.js";
import { timeUsualDeploy } from "./deploy-usual-run.js";

const runs = Number(process.env.BENCH_RUNS ?? 5);
const blockTimeMs = Number(process.env.BENCH_BLOCK_MS ?? 1000);
const pollMs = Number(process.env.BENCH_POLL_MS ?? 3000);
/** The agent's defaults: three bids or a 60 s window, a 15 ACT first deposit. */
const usual = { pollMs, minBids: 3, bidWindowMs: 60_000, depositUact: 15_000_000n };

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const figure = (value: Spread, format: (n: number) => string) =>
  `${format(value.mean).padStart(6)} ${format(value.min).padStart(6)} ${format(value.max).padStart(6)}`;

async function main(): Promise<void> {
  const devnet = await startDevnet({ blockTimeMs });
  const reader = await OwnerChainReader.connect(devnet);
  const workDir = mkdtempSync(join(tmpdir(), "deploy-speed-"));
  const agent: DeployTiming[] = [];
  const baseline: DeployTiming[] = [];
  console.info(
    `deploy request → active lease, ${blockTimeMs} ms blocks, ${devnet.providers.length} providers, ${runs} runs each (the usual way polls every ${pollMs} ms)\n`,
  );
  try {
    for (let run = 1; run <= runs; run += 1) {
      const a = await timeAgentDeploy(devnet, reader, workDir);
      agent.push(a);
      const b = await timeUsualDeploy(devnet, usual);
      baseline.push(b);
      console.info(
        `run ${run}: agent ${seconds(a.wallMs)} s / ${a.blocks} blocks / ${a.txs} txs (in-process ${seconds(a.inner!.wallMs)} s / ${a.inner!.blocks} blocks)   usual ${seconds(b.wallMs)} s / ${b.blocks} blocks / ${b.txs} txs`,
      );
    }
  } finally {
    reader.disconnect();
    await devnet.stop();
    rmSync(workDir, { recursive: true, force: true });
  }

  const rows: Array<[string, Spread, (n: number) => string]> = [
    ["agent, process start → active: s", spread(agent.map((t) => t.wallMs)), (n) => seconds(n)],
    ["agent, process start → active: blocks", spread(agent.map((t) => t.blocks)), (n) => n.toFixed(1)],
    ["agent, lease generating_sdl → active: s", spread(agent.map((t) => t.inner!.wallMs)), (n) => seconds(n)],
    [
      "agent, lease generating_sdl → active: blocks",
      spread(agent.map((t) => t.inner!.blocks)),
      (n) => n.toFixed(1),
    ],
    ["usual way, script start → services ready: s", spread(baseline.map((t) => t.wallMs)), (n) => seconds(n)],
    [
      "usual way, script start → services ready: blocks",
      spread(baseline.map((t) => t.blocks)),
      (n) => n.toFixed(1),
    ],
  ];
  console.info(`\n${"".padEnd(50)}   mean    min    max`);
  for (const [label, value, format] of rows) console.info(`${label.padEnd(50)} ${figure(value, format)}`);
  const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : "—");
  const agentWall = spread(agent.map((t) => t.wallMs)).mean;
  const agentBlocks = spread(agent.map((t) => t.blocks)).mean;
  const usualWall = spread(baseline.map((t) => t.wallMs)).mean;
  const usualBlocks = spread(baseline.map((t) => t.blocks)).mean;
  console.info(
    `\nusual way ÷ agent (means): wall time ×${ratio(usualWall, agentWall)}, blocks ×${ratio(usualBlocks, agentBlocks)}; txs signed: agent ${spread(agent.map((t) => t.txs)).mean.toFixed(1)}, usual ${spread(baseline.map((t) => t.txs)).mean.toFixed(1)}`,
  );
}

await main();
