import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Most integration files wait on devnet blocks and child processes rather than the CPU, so more
    // files than cores run side by side.
    maxWorkers: 4,
  },
});
