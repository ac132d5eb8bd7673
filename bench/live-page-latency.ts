/**
 * The live page's update latency: from an inspection event in the agent (a machine's snapshot that
 * activates a state) to the `data-active="true"` flip of that state's SVG group in the browser.
 * A real agent on the devnet, in this process; the page in Debian's chromium. Prints p50/p95/max.
 *
 *   npx tsx bench/live-page-latency.ts                 (about 40 s)
 *   LIVE_BENCH_SECONDS=60 npx tsx bench/live-page-latency.ts
 *   LIVE_PAGE_DEMO=1 npx tsx bench/live-page-latency.ts   (no browser: prints the URL and keeps running)
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { chromium } from "playwright-core";
import type { InspectionEvent, StateValue } from "xstate";
import { ScriptedMetrics } from "../src/actors/metrics-source.js";
import { loadConfig } from "../src/config/index.js";
import { startDevnet } from "../src/devnet/index.js";
import { AGENT_CHARTED_MACHINES, createLivePage } from "../src/live/index.js";
import { createLogger } from "../src/logging/index.js";
import { launchAgent } from "../src/runtime/launch-agent.js";
import { isInState } from "../src/runtime/lease-view.js";
import { AgentKeys, EnvKeystore, generateMnemonic } from "../src/services/keys/index.js";
import { requireChromium, serveLivePage } from "../support/live-page-server.js";

const SECONDS = Number(process.env.LIVE_BENCH_SECONDS ?? 20);
const DEMO = process.env.LIVE_PAGE_DEMO === "1";
const charted = new Set(AGENT_CHARTED_MACHINES.map((machine) => machine.id));
const now = () => performance.timeOrigin + performance.now();

/** Every state key a value makes active (`lease`, `lease.active`, `lease.active.monitoring`). */
function activeKeys(machineId: string, value: StateValue): Set<string> {
  const keys = new Set([machineId]);
  const walk = (prefix: string, node: StateValue) => {
    if (typeof node === "string") {
      keys.add(`${prefix}.${node}`);
      return;
    }
    for (const [key, child] of Object.entries(node)) {
      keys.add(`${prefix}.${key}`);
      if (child !== undefined) walk(`${prefix}.${key}`, child as StateValue);
    }
  };
  walk(machineId, value);
  return keys;
}

const activated: { key: string; at: number }[] = [];
const lastKeys = new Map<string, Set<string>>();
function recordActivations(event: InspectionEvent): void {
  if (event.type !== "@xstate.snapshot") return;
  const id = (event.actorRef as { id?: string }).id ?? "";
  const snapshot = event.snapshot as { value?: StateValue; status?: string };
  if (!charted.has(id) || snapshot.value === undefined || snapshot.status !== "active") return;
  const keys = activeKeys(id, snapshot.value);
  const before = lastKeys.get(id) ?? new Set<string>();
  const at = now();
  for (const key of keys) if (!before.has(key)) activated.push({ key, at });
  lastKeys.set(id, keys);
}

const devnet = await startDevnet({
  blockTimeMs: 100,
  workloadStartDelayMs: 200,
  bmeEpochBlocks: 5,
  cronos: false,
  nostr: false,
  receivers: false,
  arweave: false,
});
const mnemonic = generateMnemonic().reveal();
const config = loadConfig({
  env: {},
  flags: {
    network: "devnet",
    dataDir: mkdtempSync(join(tmpdir(), "live-bench-")),
    "devnet.url": devnet.control,
    "intervals.healthCheckMs": 300,
    "intervals.balancePollMs": 500,
    "intervals.chainPollMs": 100,
    "bidding.minBids": 3,
    "bidding.windowMs": 5_000,
    "log.level": "silent",
  },
});
const keystore = new EnvKeystore({ env: { AGENT_MNEMONIC: mnemonic } });
const keys = AgentKeys.fromContents(await keystore.load());
const logger = createLogger({ level: "silent" });
const livePage = createLivePage({ status: () => agent?.runtime.lease() ?? null, logger });
const server = await serveLivePage(livePage);
let agent: Awaited<ReturnType<typeof launchAgent>> | undefined;
agent = await launchAgent({
  config,
  keys,
  keystore,
  logger,
  metrics: new ScriptedMetrics(),
  inspect: (event) => {
    recordActivations(event);
    livePage.inspect(event);
  },
});
const started = agent;

if (DEMO) {
  process.stdout.write(`live page: ${server.url}/  (Ctrl-C to stop)\n`);
  process.on("SIGINT", () => {
    void started
      .close()
      .then(() => server.close())
      .then(() => devnet.stop())
      .then(() => process.exit(0));
  });
} else {
  const browser = await chromium.launch({ executablePath: requireChromium() });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(server.url);
  await page.waitForSelector('#connection[data-connected="true"]');
  await page.evaluate(`
    window.flips = [];
    new MutationObserver((records) => {
      const at = performance.timeOrigin + performance.now();
      for (const record of records) {
        if (record.target.getAttribute("data-active") === "true")
          window.flips.push({ key: record.target.getAttribute("data-state"), at });
      }
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ["data-active"] });
  `);
  const from = now();
  await started.runtime.waitForLease((view) => isInState(view.state, "active"));
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  const flips = (await page.evaluate("window.flips")) as { key: string; at: number }[];
  await browser.close();

  const latencies: number[] = [];
  let unmatched = 0;
  for (const activation of activated.filter((entry) => entry.at >= from)) {
    const flip = flips.find((entry) => entry.key === activation.key && entry.at >= activation.at);
    if (flip) latencies.push(flip.at - activation.at);
    else unmatched += 1;
  }
  latencies.sort((a, b) => a - b);
  const pick = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  process.stdout.write(
    [
      "live page update latency (inspection event in the agent → data-active flip in chromium)",
      `  state activations measured: ${latencies.length} (unmatched: ${unmatched}) over ${SECONDS} s after the lease went active`,
      `  p50 ${ms(pick(0.5))}   p95 ${ms(pick(0.95))}   max ${ms(latencies.at(-1) ?? NaN)}`,
      "",
    ].join("\n"),
  );
  await started.close();
  await server.close();
  await devnet.stop();
  process.exit(0);
}
