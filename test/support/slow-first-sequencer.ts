import { statSync } from "node:fs";
import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The vitest project of the files whose providers run the agents they deploy: only two of them run at
 * once (deployed-agents.setup.ts), so they are spread between the other long files.
 */
export const DEPLOYED_AGENTS_PROJECT = "deployed-agents";
/** The crash matrix: minutes per file, one agent process at a time, mostly waiting on blocks. */
const CRASH_MATRIX = "test/reliability/";
/** End-to-end runs: minutes per file, several agent processes and a devnet's providers each. */
const END_TO_END = "test/e2e/";
/**
 * Seconds each of the longest files took in a whole run on a 2-core machine (vitest's JSON report,
 * Dec 2026): only an ordering hint, so a file missing here is merely ordered by its size.
 */
const KNOWN_SECONDS: Readonly<Record<string, number>> = {
  "test/reliability/crash-resume-migrations.test.ts": 240,
  "test/reliability/crash-resume-deploy-leasing.test.ts": 195,
  "test/reliability/crash-resume-top-up-terminate.test.ts": 140,
  "test/reliability/crash-resume-deploy-ordering.test.ts": 95,
  "test/reliability/handover-crash.test.ts": 75,
  "test/reliability/upgrade-crash.test.ts": 90,
  "test/e2e/self-deployment.test.ts": 210,
  "test/e2e/self-upgrade.test.ts": 150,
  "test/e2e/key-custody.test.ts": 210,
  "test/e2e/guardian.test.ts": 185,
  // Two births by a parent process, its death, a silence window, a sibling's resurrection (alone:
  // 55–110 s; 77–199 s beside other engineers' runs).
  "test/e2e/family-sibling-resurrection.test.ts": 150,
  "test/e2e/akash-key-rotation.test.ts": 120,
  "test/e2e/family-birth-crash.test.ts": 95,
  "test/e2e/child-resurrection.test.ts": 85,
  "test/e2e/family-resurrection.test.ts": 60,
};
/** Then these, in this order; every other file (seconds each) last. */
const LATER = ["test/integration/", "test/browser/"];

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function longestFirst<T extends { path: string; size: number }>(items: T[]): T[] {
  const seconds = (item: T) => KNOWN_SECONDS[item.path] ?? 0;
  return [...items].sort((a, b) => seconds(b) - seconds(a) || b.size - a.size);
}

/** a1, b1, a2, b2, … then what is left of the longer list. */
function alternate<T>(a: T[], b: T[]): T[] {
  const out: T[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i < a.length) out.push(a[i]!);
    if (i < b.length) out.push(b[i]!);
  }
  return out;
}

/**
 * Starts the longest files first, so no long file starts last and sets the suite's length alone:
 * vitest's own order does that only from durations cached by an earlier run, which a clean clone
 * (CI) lacks, and then goes by file size (the crash matrix's files are a few lines each). Files that
 * deploy agents alternate with the other long ones, so a worker seldom waits for a deployed-agent slot.
 */
export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const keyed = files.map((spec) => {
      const path = relative(root, spec.moduleId);
      return { spec, path, size: sizeOf(spec.moduleId) };
    });
    const deploying = longestFirst(keyed.filter(({ spec }) => spec.project.name === DEPLOYED_AGENTS_PROJECT));
    const others = keyed.filter((file) => !deploying.includes(file));
    const under = (prefix: string) => longestFirst(others.filter((file) => file.path.startsWith(prefix)));
    const first = alternate(deploying, longestFirst([...under(CRASH_MATRIX), ...under(END_TO_END)]));
    const later = LATER.flatMap(under);
    const placed = new Set([...first, ...later]);
    const rest = longestFirst(others.filter((file) => !placed.has(file)));
    return [...first, ...later, ...rest].map(({ spec }) => spec);
  }
}
