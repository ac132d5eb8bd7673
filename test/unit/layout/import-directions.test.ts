import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

function sourceFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: "utf8" })
    .filter((name) => /\.(ts|mts)$/.test(name))
    .map((name) => join(folder, name));
}

/** Every relative module a file imports (static, `import type`, re-export or dynamic), as a repo path. */
function relativeImports(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)["'](\.{1,2}\/[^"']+)["']/g)];
  return specifiers.map((match) => relative(root, resolve(root, dirname(file), match[1]!)));
}

/** `file → imported` pairs where a file under `from` imports something under `forbidden`. */
function crossings(from: string, forbidden: string): string[] {
  return sourceFiles(from).flatMap((file) =>
    relativeImports(file)
      .filter((imported) => imported === forbidden || imported.startsWith(`${forbidden}/`))
      .map((imported) => `${file} → ${imported}`),
  );
}

describe("import directions", () => {
  it("benches import shared helpers from support/, never from test/", () => {
    expect(crossings("bench", "test")).toEqual([]);
  });

  it("support/ (shared by tests and benches) imports nothing from test/ or bench/", () => {
    expect([...crossings("support", "test"), ...crossings("support", "bench")]).toEqual([]);
  });

  it("the shipped package (src/) imports nothing from support/, test/ or bench/", () => {
    expect([
      ...crossings("src", "support"),
      ...crossings("src", "test"),
      ...crossings("src", "bench"),
    ]).toEqual([]);
  });

  it("the services never import the devnet (the devnet stands in for the outside world they talk to)", () => {
    expect(crossings("src/services", "src/devnet")).toEqual([]);
  });
});
