import { afterAll } from "vitest";
import { takeMachineSlot } from "./machine-slots.js";

/**
 * Setup of every file that deploys agent processes onto a devnet's providers (vitest.config.ts lists
 * them): at most `AGENT_TEST_DEPLOYED_FILES` of them (default 2) run at once on this machine, across
 * vitest workers and runs. Beside each other on 2 cores, four of them starved the agents they deploy:
 * deploys missed `timeouts.servicesReadyMs` and heartbeats their silence windows.
 */
const DEFAULT_AT_ONCE = 2;

function filesAtOnce(): number {
  const raw = process.env.AGENT_TEST_DEPLOYED_FILES;
  if (raw === undefined || raw === "") return DEFAULT_AT_ONCE;
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(`AGENT_TEST_DEPLOYED_FILES must be a whole number (0 for no limit), not "${raw}"`);
  }
  return count;
}

const release = await takeMachineSlot({
  name: "akash-agent-test-deployed-agents",
  count: filesAtOnce(),
  onWait: (waitedMs) =>
    process.stderr.write(`waiting ${Math.round(waitedMs / 1000)} s for a deployed-agent test slot\n`),
});
afterAll(release);
