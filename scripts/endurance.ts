import { execFileSync } from "node:child_process";
import { configSchema } from "../src/config/schema.js";
import { runEndurance } from "../src/simulation/endurance.js";
import { enduranceTable } from "../src/simulation/endurance-table.js";

const USAGE = `usage: npm run endurance -- [--days N] [--agents N] [--providers N] [--seed N] [--cap-percent P] [--json | --markdown]
  The family endurance run on the market simulator (not the devnet). Defaults: 90 days, 5 agents,
  50 providers, seed 1, caps at 150 % of the run's cost at the default price. --json prints the whole report; --markdown prints docs/endurance.md.`;

function numberOption(
  args: readonly string[],
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const raw = args[at + 1] ?? "";
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max} (got "${raw}")\n${USAGE}`);
  }
  return value;
}

const READING_GUIDE = `## Reading guide

- **Where it ran**: on the market simulator (\`src/simulation/\`), not the devnet: 90 days are about
  1.3 M blocks, which the devnet cannot produce. Each agent runs the real lease, health and
  key-rotation machines, the real recovery policy and bid scoring, on a simulated clock; only the
  world's edge is simulated (chain, providers, treasury). The same seed gives the same table.
- **One market**: the agents share one chain and one set of providers, so a provider's failure hits
  every agent with a lease there. Provider node failures at 5 %/day per provider, reclaims (half the
  providers offer a reclamation window), providers going dark, short outages and degraded spells
  (the simulator's bands), price spikes (a provider's price ×3 for 1-3 days; a lease keeps its price,
  so a spike matters when an agent picks a bid), Akash RPC outages (reads and transactions fail; the
  health monitor gives no verdict on them and says "Chain unreachable" past the policy's limit).
- **Key rotations**: the real key-rotation machine on its schedule (Akash and payment keys every 30
  days, identity and encryption every 90, 24 h grace; last rotations staggered before the run). An
  Akash key rotation moves the agent into a deployment its new key owns (make-before-break), then
  revokes the old key. The Akash key's steps are transactions (they fail during an RPC outage and
  roll back); the others are modelled as taking effect at once.
- **Spend cap**: each agent's budget is an escrow DepositAuthorization spend limit as the chain
  enforces it: deposits draw it down, refunds of closed deployments add back, a deposit beyond what
  is left is refused. The cap is 1.5× the run's cost at the providers' default price plus two
  deposits (\`--cap-percent\`, default 150). *spent* is what providers were paid; *spiked* counts leases
  taken from a provider while its price was tripled; *refused* counts deposits refused at the cap.
- **Columns**: *available* = share of the time the service answered (from its first deployment);
  *moves* = times it came up on a new lease; *orphaned* = open deployments the lease machine no
  longer holds, worst day's end / end of run (must be 0/0); *keys a/p/i/e* = rotations done of the
  Akash, payment, identity and encryption keys; *fails* = rotations rolled back; *human* = deployment
  flows the lease gave up on (the agent then waits for an operator; must be 0).
- **Incidents and alerts**: an incident is a trouble of the world as it met the agent: a node
  failure, reclaim or dark provider under its lease, an outage or degraded spell there longer than
  the health monitor's hysteresis, an RPC outage long enough for the policy to escalate, or a
  downtime longer than the hysteresis; overlapping troubles of the same provider (and the downtime
  they cause) are one incident. Alerts pass the outbox's rule (one per open incident key, repeats
  held back for a day, a resolving notice is not a new alert) and are counted against the incident
  they fell in (up to 15 min after it). *silent* = incidents with no alert, *>1* = incidents with
  more than one, *stray* = alerts outside every incident; each is listed under the table.
  Troubles shorter than the hysteresis are not incidents (the monitor is meant to ride them out);
  borderline ones (within one check interval of it) count only if they were alerted.
`;

async function main(args: readonly string[]): Promise<void> {
  if (args.includes("--help")) {
    console.log(USAGE);
    return;
  }
  const days = numberOption(args, "--days", 90, 1, 365);
  const agents = numberOption(args, "--agents", 5, 1, 50);
  const providers = numberOption(args, "--providers", 50, 5, 1000);
  const seed = numberOption(args, "--seed", 1, 0, 2 ** 32 - 1);
  const capPercent = numberOption(args, "--cap-percent", 150, 0, 10_000);
  const started = Date.now();
  const every = Math.max(1, Math.ceil(days / 10));
  const report = await runEndurance({
    days,
    agents,
    providers,
    seed,
    capFactor: capPercent / 100,
    config: configSchema.parse({}),
    onProgress: ({ day }) => {
      if (day % every === 0 || day === days) process.stderr.write(`endurance: day ${day}/${days}\n`);
    },
  });
  const seconds = (Date.now() - started) / 1000;
  if (args.includes("--json")) {
    console.log(JSON.stringify(report));
    return;
  }
  const table = enduranceTable(report);
  if (!args.includes("--markdown")) {
    for (const line of table) console.log(line);
    console.log(`\nrun time ${seconds.toFixed(1)} s`);
    return;
  }
  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  const command = `npm run endurance -- --days ${days} --agents ${agents} --providers ${providers} --seed ${seed} --cap-percent ${capPercent}`;
  console.log(`# Family endurance run (issue 17)

Run on the **market simulator, not the devnet** (the devnet cannot run 90 days: ~1.3 M blocks).

- date: ${new Date().toISOString().slice(0, 10)} · commit: ${commit} · seed: ${seed} · run time: ${seconds.toFixed(1)} s
- command: \`${command} --markdown > docs/endurance.md\`

\`\`\`text
${table.join("\n")}
\`\`\`

${READING_GUIDE}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
