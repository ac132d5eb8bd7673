/**
 * Market simulator speed: wall and CPU time of `simulate` (three strategies over one market) for a
 * few sizes, with and without skipping the health checks that cannot find anything. Prints figures;
 * asserts nothing.
 *
 *   npx tsx bench/simulator-speed.ts
 */
import { configSchema } from "../src/config/schema.js";
import { simulate } from "../src/simulation/index.js";

const config = configSchema.parse({});
const sizes = [
  { days: 30, providers: 50, skipQuietChecks: true },
  { days: 90, providers: 85, skipQuietChecks: true },
  { days: 2, providers: 50, skipQuietChecks: true },
  { days: 2, providers: 50, skipQuietChecks: false },
];

console.log(
  `${"days".padStart(5)}${"providers".padStart(10)}${"skip".padStart(6)}${"wall ms".padStart(9)}${"cpu ms".padStart(8)}${"ms/day".padStart(8)}`,
);
for (const size of sizes) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  await simulate({ ...size, seed: 1, config });
  const used = process.cpuUsage(cpu);
  const wall = performance.now() - started;
  const cpuMs = (used.user + used.system) / 1000;
  console.log(
    `${String(size.days).padStart(5)}${String(size.providers).padStart(10)}${(size.skipQuietChecks ? "yes" : "no").padStart(6)}${wall.toFixed(0).padStart(9)}${cpuMs.toFixed(0).padStart(8)}${(wall / size.days).toFixed(0).padStart(8)}`,
  );
}
