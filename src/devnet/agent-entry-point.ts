import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { AgentError } from "../errors.js";

const PACKAGE_NAME = "akash-agent";

function packageNameAt(dir: string): string | undefined {
  const file = join(dir, "package.json");
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as { name?: unknown };
    return typeof parsed.name === "string" ? parsed.name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * This package's root: the nearest directory above this module whose package.json is `akash-agent`
 * (from src/devnet under vitest or tsx, from dist/devnet when built).
 */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    if (packageNameAt(dir) === PACKAGE_NAME) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new AgentError(`cannot find the ${PACKAGE_NAME} package root above ${from}`);
    }
    dir = parent;
  }
}

/**
 * The argv a devnet provider runs for the agent's image: this package's own built CLI, `run`.
 * Always the built file, also under tsx or vitest: the provider starts a plain `node`.
 */
export function ownAgentCommand(root: string = packageRoot()): string[] {
  return [...ownCliCommand(root), "run"];
}

/** This package's own built CLI as `node dist/main.js` (a parent runs its children's bootstraps with it). */
export function ownCliCommand(root: string = packageRoot()): string[] {
  const main = join(root, "dist", "main.js");
  if (!existsSync(main)) {
    throw new AgentError(
      `${main} is missing: run \`npm run build\` first (the devnet runs the agent's own built entry point for its image)`,
    );
  }
  return [process.execPath, main];
}
