import fc from "fast-check";
import { expect } from "vitest";

/**
 * Conventions for the input fuzzers under test/fuzz (the machine fuzzer in fuzz-runner.ts keeps its
 * own): a fixed seed so a run is reproducible and CI sees the same cases every time, `FUZZ_SEED=random`
 * (or a number) to explore others, and `FUZZ_RUNS=<n>` for a longer soak than CI's default.
 */
export const FIXED_INPUT_FUZZ_SEED = 20261203;

export function fuzzParameters(numRuns: number): fc.Parameters<unknown> {
  const chosen = process.env.FUZZ_SEED;
  const runs = Number(process.env.FUZZ_RUNS ?? numRuns);
  if (chosen === "random") return { numRuns: runs };
  return { numRuns: runs, seed: chosen === undefined ? FIXED_INPUT_FUZZ_SEED : Number(chosen) };
}

/** A fuzz test's time limit: `ms` for CI's runs, an hour for a soak (`FUZZ_RUNS` set). */
export function fuzzTimeout(ms: number): number {
  return process.env.FUZZ_RUNS === undefined ? ms : 3_600_000;
}

/** Rejects when `work` has not settled within `ms`: a fuzzed input must never make the code under test hang. */
export async function withinMs<T>(ms: number, what: string, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hung: ${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The spellings of a mnemonic that must never appear in output: the whole and every run of three words. */
export function mnemonicSpellings(mnemonic: string): string[] {
  const words = mnemonic.split(" ");
  const runs: string[] = [mnemonic];
  for (let at = 0; at + 3 <= words.length; at += 3) runs.push(words.slice(at, at + 3).join(" "));
  return runs;
}

/** Asserts that none of `secrets` appears in `text`, naming where it was looked for. */
export function expectNoSecretIn(text: string, secrets: readonly string[], where: string): void {
  for (const secret of secrets) {
    if (secret.length > 0 && text.includes(secret)) {
      expect.fail(`${where} holds a secret (${secret.slice(0, 4)}…)`);
    }
  }
}

/** Text that is often trouble for a parser: empty, whitespace, control characters, unicode, huge numbers. */
export const awkwardText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "",
    " ",
    "\n",
    "\u0000",
    "null",
    "undefined",
    "NaN",
    "Infinity",
    "-1",
    "0",
    "1e309",
    "9007199254740993",
    "[",
    "[]",
    "{}",
    '["a",',
    "[1,2]",
    "__proto__",
    "constructor",
    "true",
    "yes",
    "http://",
    "https://127.0.0.1:1",
    "akash1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq",
  ),
);

/** Any JSON value, with the keys that trip object handling (`__proto__`, `constructor`) among them. */
export const awkwardJson: fc.Arbitrary<unknown> = fc
  .jsonValue({ maxDepth: 4 })
  .chain((value) =>
    fc.oneof(
      fc.constant(value),
      fc.constant(JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}')),
    ),
  );
