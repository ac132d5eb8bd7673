/**
 * Deploy speed: blocks and wall time from a deploy request to an active lease at a 1 s block time,
 * for the agent (the real CLI, default settings) beside the same deploy done the usual way with
 * chain-sdk (separate transactions, everything polled every few seconds), measured in the same run.
 * Two start conditions, each side alike:
 * - first deploy: a funded wallet with no ACT, so ACT is minted first and waited for (a BME epoch);
 * - second deploy: ACT on hand. For the agent, the same account deploys again from a fresh data
 *   directory and finds the ACT float its treasury minted ahead of need in the first; the usual way
 *   mints its deposit's ACT before its clock starts.
 * Prints figures; asserts nothing. Needs the built CLI:
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
import { newDeployer, timeAgentDeploy } from "./deploy-agent-run.js";
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
  const agentAgain: DeployTiming[] = [];
  const baselineOnHand: DeployTiming[] = [];
  console.info(
    `deploy request → active lease, ${blockTimeMs} ms blocks, ${devnet.providers.length} providers, ${runs} runs each (the usual way polls every ${pollMs} ms)\n`,
  );
  try {
    for (let run = 1; run <= runs; run += 1) {
      const deployer = newDeployer();
      const a = await timeAgentDeploy(devnet, reader, workDir, deployer);
      agent.push(a);
      const b = await timeUsualDeploy(devnet, usual);
      baseline.push(b);
      console.info(
        `run ${run}, first deploy:  agent ${seconds(a.wallMs)} s / ${a.blocks} blocks / ${a.txs} txs (in-process ${seconds(a.inner!.wallMs)} s / ${a.inner!.blocks} blocks)   usual ${seconds(b.wallMs)} s / ${b.blocks} blocks / ${b.txs} txs`,
      );
      const a2 = await timeAgentDeploy(devnet, reader, workDir, deployer, true);
      agentAgain.push(a2);
      const b2 = await timeUsualDeploy(devnet, { ...usual, actOnHand: true });
      baselineOnHand.push(b2);
      console.info(
        `run ${run}, ACT on hand:   agent ${seconds(a2.wallMs)} s / ${a2.blocks} blocks / ${a2.txs} txs (in-process ${seconds(a2.inner!.wallMs)} s / ${a2.inner!.blocks} blocks)   usual ${seconds(b2.wallMs)} s / ${b2.blocks} blocks / ${b2.txs} txs`,
      );
    }
  } finally {
    reader.disconnect();
    await devnet.stop();
    rmSync(workDir, { recursive: true, force: true });
  }

  const wall = (timings: DeployTiming[]) => spread(timings.map((t) => t.wallMs));
  const blocks = (timings: DeployTiming[]) => spread(timings.map((t) => t.blocks));
  const innerWall = (timings: DeployTiming[]) => spread(timings.map((t) => t.inner!.wallMs));
  const innerBlocks = (timings: DeployTiming[]) => spread(timings.map((t) => t.inner!.blocks));
  const s = (n: number) => seconds(n);
  const b = (n: number) => n.toFixed(1);
  const rows: Array<[string, Spread, (n: number) => string]> = [
    ["first deploy (mint first)", { mean: Number.NaN, min: Number.NaN, max: Number.NaN }, () => ""],
    ["  agent, process start → active: s", wall(agent), s],
    ["  agent, process start → active: blocks", blocks(agent), b],
    ["  agent, lease generating_sdl → active: s", innerWall(agent), s],
    ["  agent, lease generating_sdl → active: blocks", innerBlocks(agent), b],
    ["  usual way, script start → services ready: s", wall(baseline), s],
    ["  usual way, script start → services ready: blocks", blocks(baseline), b],
    [
      "second deploy / move (ACT float on hand)",
      { mean: Number.NaN, min: Number.NaN, max: Number.NaN },
      () => "",
    ],
    ["  agent, process start → active: s", wall(agentAgain), s],
    ["  agent, process start → active: blocks", blocks(agentAgain), b],
    ["  agent, lease generating_sdl → active: s", innerWall(agentAgain), s],
    ["  agent, lease generating_sdl → active: blocks", innerBlocks(agentAgain), b],
    ["  usual way (ACT minted before), start → ready: s", wall(baselineOnHand), s],
    ["  usual way (ACT minted before), start → ready: blocks", blocks(baselineOnHand), b],
  ];
  console.info(`\n${"".padEnd(56)}   mean    min    max`);
  for (const [label, value, format] of rows) {
    console.info(Number.isNaN(value.mean) ? label : `${label.padEnd(56)} ${figure(value, format)}`);
  }
  const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : "—");
  const txs = (timings: DeployTiming[]) => spread(timings.map((t) => t.txs)).mean.toFixed(1);
  console.info("\nusual way ÷ agent (means; ≥ 2 is the target):");
  console.info(
    `  first deploy:  process start wall ×${ratio(wall(baseline).mean, wall(agent).mean)}, blocks ×${ratio(blocks(baseline).mean, blocks(agent).mean)}; request → active blocks ×${ratio(blocks(baseline).mean, innerBlocks(agent).mean)}; txs signed: agent ${txs(agent)}, usual ${txs(baseline)}`,
  );
  console.info(
    `  ACT on hand:   process start wall ×${ratio(wall(baselineOnHand).mean, wall(agentAgain).mean)}, blocks ×${ratio(blocks(baselineOnHand).mean, blocks(agentAgain).mean)}; request → active blocks ×${ratio(blocks(baselineOnHand).mean, innerBlocks(agentAgain).mean)}; txs signed: agent ${txs(agentAgain)}, usual ${txs(baselineOnHand)}`,
  );
}

await main();
