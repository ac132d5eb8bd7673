import { defineConfig } from "vitest/config";
import { DEPLOYED_AGENTS_PROJECT, SlowFirstSequencer } from "./test/support/slow-first-sequencer.js";

/** Files that replace a module with `vi.mock`: they need a module cache of their own. */
const MOCKING_FILES = ["test/unit/keys/atomic-write.test.ts"];
/** Files that only compute (statecharts, parsers, generators): no devnet, no child process. */
const IN_PROCESS_FILES = ["test/unit/**/*.test.ts", "test/machines/**/*.test.ts", "test/fuzz/**/*.test.ts"];
/** Files that start devnets, agent processes or a browser. */
const OUT_OF_PROCESS_FILES = ["test/{browser,e2e,integration,reliability}/**/*.test.ts"];
/**
 * Files whose devnet providers run agent processes the test deploys and then waits on: only a few of
 * them run at once (test/support/deployed-agents.setup.ts).
 */
const DEPLOYED_AGENT_FILES = [
  "test/e2e/{akash-key-rotation,guardian,self-deployment,self-upgrade}.test.ts",
  "test/e2e/child-{bootstrap,resurrection}.test.ts",
  "test/e2e/family-{birth,birth-crash,child-cro,resurrection,sibling-resurrection}.test.ts",
  "test/reliability/{handover,upgrade}-crash.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Most integration files wait on devnet blocks and child processes rather than the CPU, so more
    // files than cores run side by side.
    maxWorkers: 4,
    sequence: { sequencer: SlowFirstSequencer },
    projects: [
      {
        extends: true,
        test: {
          name: "in-process",
          include: IN_PROCESS_FILES,
          exclude: MOCKING_FILES,
          // One module cache per worker: importing the chain clients again for each of these files
          // cost more than running them.
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: "isolated",
          include: [...OUT_OF_PROCESS_FILES, ...MOCKING_FILES],
          exclude: DEPLOYED_AGENT_FILES,
        },
      },
      {
        extends: true,
        test: {
          name: DEPLOYED_AGENTS_PROJECT,
          include: DEPLOYED_AGENT_FILES,
          setupFiles: ["test/support/deployed-agents.setup.ts"],
        },
      },
    ],
  },
});
