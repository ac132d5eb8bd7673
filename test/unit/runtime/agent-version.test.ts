import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/index.js";
import { packageRoot } from "../../../src/devnet/agent-entry-point.js";
import { imageRepository, runningImage } from "../../../src/domain/index.js";
import {
  agentVersion,
  IMAGE_TAG_ENV,
  packageVersion,
  packageVersionAt,
  UNKNOWN_PACKAGE_VERSION,
} from "../../../src/runtime/agent-version.js";

const work = mkdtempSync(join(tmpdir(), "agent-version-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const root = packageRoot();
const ownVersion = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string })
  .version;

describe("the running agent's version", () => {
  it("reads this package's version from src (tsx, vitest) and from dist, the same file", () => {
    expect(ownVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(packageVersion()).toBe(ownVersion);
    expect(packageVersionAt(join(root, "src", "runtime", "agent-version.ts"))).toBe(ownVersion);
    expect(packageVersionAt(join(root, "dist", "runtime", "agent-version.js"))).toBe(ownVersion);
  });

  it("walks past other packages' package.json, and says `unknown` when no akash-agent one has a version", () => {
    const nested = join(work, "app", "node_modules", "dep", "lib");
    mkdirSync(nested, { recursive: true });
    writeFileSync(
      join(work, "app", "node_modules", "dep", "package.json"),
      '{"name":"dep","version":"9.9.9"}',
    );
    writeFileSync(join(work, "app", "package.json"), '{"name":"akash-agent","version":"1.2.3"}');
    expect(packageVersionAt(join(nested, "index.js"))).toBe("1.2.3");
    writeFileSync(join(work, "app", "package.json"), '{"name":"akash-agent"}');
    expect(packageVersionAt(join(nested, "index.js"))).toBe(UNKNOWN_PACKAGE_VERSION);
    const nowhere = join(work, "nowhere", "lib");
    mkdirSync(nowhere, { recursive: true });
    expect(packageVersionAt(join(nowhere, "index.js"))).toBe(UNKNOWN_PACKAGE_VERSION);
  });

  it("is agent.image, its tag replaced by the provider's AGENT_IMAGE_TAG when that is a tag", () => {
    const config = configSchema.parse({});
    const image = config.agent.image;
    const repository = imageRepository(image);
    expect(agentVersion(config, {})).toEqual({ package: ownVersion, image });
    expect(agentVersion(config, { [IMAGE_TAG_ENV]: "0.9.0-canary" })).toEqual({
      package: ownVersion,
      image: `${repository}:0.9.0-canary`,
    });
    expect(agentVersion(config, { [IMAGE_TAG_ENV]: "latest" }).image).toBe(`${repository}:latest`);
    // Not a tag (empty, a path, a leading dot): the configured image stands.
    for (const tag of ["", "  ", "a/b", ".hidden", "x".repeat(129)]) {
      expect(agentVersion(config, { [IMAGE_TAG_ENV]: tag }).image, JSON.stringify(tag)).toBe(image);
    }
    expect(runningImage("localhost:5000/agent:0.1.0", "0.2.0")).toBe("localhost:5000/agent:0.2.0");
    expect(runningImage("localhost:5000/agent", "0.2.0")).toBe("localhost:5000/agent:0.2.0");
  });
});
