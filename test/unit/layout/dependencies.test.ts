import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};

/** Packages the TypeScript files under `folders` import (static, type-only or dynamic). */
function importedPackages(...folders: string[]): Set<string> {
  const found = new Set<string>();
  for (const folder of folders) {
    const files = readdirSync(join(root, folder), { recursive: true, encoding: "utf8" }).filter((name) =>
      /\.(ts|mts)$/.test(name),
    );
    for (const file of files) {
      const text = readFileSync(join(root, folder, file), "utf8");
      for (const match of text.matchAll(
        /(?:from\s+|import\s*\(\s*|import\s+|require\(\s*|\)\(\s*)["']([^"'.][^"']*)["']/g,
      )) {
        const specifier = match[1]!;
        if (specifier.startsWith("node:")) continue;
        const parts = specifier.split("/");
        found.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!);
      }
    }
  }
  return found;
}

describe("package.json", () => {
  it("lists as dependencies only packages the shipped code (src/) imports", () => {
    const used = importedPackages("src");
    expect(Object.keys(manifest.dependencies).filter((name) => !used.has(name))).toEqual([]);
  });

  it("lists as devDependencies only packages tests, benches or scripts import, their types, or tools its scripts run", () => {
    const used = importedPackages("test", "support", "bench", "scripts");
    used.add("vitest"); // vitest.config.ts
    const scripts = Object.values(manifest.scripts).join(" ");
    const tools: Record<string, string> = { "@biomejs/biome": "biome", typescript: "tsc", tsx: "tsx" };
    const unused = Object.keys(manifest.devDependencies).filter((name) => {
      if (used.has(name)) return false;
      if (tools[name]) return !scripts.includes(`${tools[name]} `);
      const typed = name.startsWith("@types/") ? name.slice("@types/".length) : null;
      return typed === null || !(typed === "node" || typed in manifest.dependencies);
    });
    expect(unused).toEqual([]);
  });
});
