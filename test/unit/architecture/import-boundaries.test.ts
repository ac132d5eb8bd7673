import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../../../src");

/** Every relative import of every .ts file under `folder`, as [file, imported folder under src]. */
function importsOf(folder: string): [string, string][] {
  const found: [string, string][] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) {
        for (const match of readFileSync(path, "utf8").matchAll(/from\s+"(\.[^"]+)"/g)) {
          const target = relative(SRC, resolve(dirname(path), match[1]!));
          found.push([relative(SRC, path), target.split("/")[0]!]);
        }
      }
    }
  };
  walk(join(SRC, folder));
  return found;
}

/** DESIGN §2, §11: the arrows point down: machines → domain; actors → machines, services, domain; services → domain. */
const forbidden: Record<string, string[]> = {
  domain: ["machines", "actors", "services", "runtime", "cli", "devnet"],
  machines: ["actors", "services", "runtime", "cli", "devnet"],
  services: ["machines", "actors", "runtime", "cli", "devnet"],
};

describe("import boundaries", () => {
  for (const [folder, banned] of Object.entries(forbidden)) {
    it(`src/${folder} imports nothing from ${banned.join(", ")}`, () => {
      const crossings = importsOf(folder)
        .filter(([, target]) => banned.includes(target))
        .map(([file, target]) => `${file} → ${target}`);
      expect(crossings).toEqual([]);
    });
  }
});
