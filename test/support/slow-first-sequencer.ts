import { statSync } from "node:fs";
import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * Where a file waits longest, by folder: the crash matrix and the end-to-end runs take minutes each,
 * the unit and machine files seconds. Started last, one long file alone would set the suite's length.
 */
const TIERS = ["test/reliability/", "test/e2e/", "test/integration/", "test/browser/"];

function tierOf(path: string): number {
  const tier = TIERS.findIndex((prefix) => path.startsWith(prefix));
  return tier === -1 ? TIERS.length : tier;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Starts the longest files first. Vitest's own order does that only from the durations it cached on
 * an earlier run, and a clean clone (CI) has none: it then goes by file size, and the crash matrix's
 * files are a few lines each.
 */
export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const keyed = files.map((spec) => {
      const path = relative(root, spec.moduleId);
      return { spec, tier: tierOf(path), size: sizeOf(spec.moduleId) };
    });
    keyed.sort((a, b) => a.tier - b.tier || b.size - a.size);
    return keyed.map(({ spec }) => spec);
  }
}
