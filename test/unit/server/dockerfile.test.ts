import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/schema.js";
import { AGENT_DATA_MOUNT } from "../../../src/domain/service-profiles.js";

const dockerfile = readFileSync(new URL("../../../Dockerfile", import.meta.url), "utf8");
const dockerignore = readFileSync(new URL("../../../.dockerignore", import.meta.url), "utf8");

/** Each stage: its FROM line and the instructions under it. */
function stages(text: string): { from: string; lines: string[] }[] {
  const result: { from: string; lines: string[] }[] = [];
  for (const line of text.split("\n").map((l) => l.trim())) {
    if (line.startsWith("FROM ")) result.push({ from: line, lines: [] });
    else if (line && !line.startsWith("#")) result.at(-1)?.lines.push(line);
  }
  return result;
}

/** The Dockerfile cannot be built here (no Docker Hub): its shape is checked instead. */
describe("the Dockerfile", () => {
  const [build, runtime] = stages(dockerfile);

  it("is multi-stage on Node 20 slim, compiling better-sqlite3 in the build stage only", () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-[a-z]+-slim$/m);
    expect(build?.from).toBe(`FROM $\{NODE_IMAGE} AS build`);
    expect(runtime?.from).toBe(`FROM $\{NODE_IMAGE} AS runtime`);
    expect(build?.lines.join("\n")).toMatch(/g\+\+/);
    expect(build?.lines.join("\n")).toMatch(/npm ci/);
    expect(runtime?.lines.join("\n")).not.toMatch(/g\+\+|npm ci|npm install/);
    expect(runtime?.lines).toContain("COPY --from=build --chown=node:node /app/node_modules ./node_modules");
  });

  it("runs `akash-agent run` as a non-root user, on the SDL's port and data volume", () => {
    expect(runtime?.lines).toContain("USER node");
    expect(runtime?.lines).toContain('ENTRYPOINT ["akash-agent"]');
    expect(runtime?.lines).toContain('CMD ["run"]');
    expect(runtime?.lines).toContain("EXPOSE 8080");
    expect(dockerfile).toContain("AGENT_HTTP_HOST=0.0.0.0");
    expect(dockerfile).toContain(`AGENT_DATA_DIR=${AGENT_DATA_MOUNT}`);
  });

  it("is the image the default SDL deploys (agent.image)", () => {
    const image = configSchema.parse({}).agent.image;
    expect(dockerfile).toContain(`docker build -t ${image} .`);
  });

  it("keeps the build context to what the build needs", () => {
    for (const entry of ["node_modules", "dist", ".git", "test"])
      expect(dockerignore.split("\n")).toContain(entry);
  });
});
