import { describe, expect, it } from "vitest";
import { checkModel } from "../support/model-paths.js";
import { healthModel } from "./models/health.model.js";

describe("health machine, model-based", () => {
  it("replays a path for every edge of the model and reaches every state and transition", async () => {
    const { coverage, paths, edges } = await checkModel(healthModel);
    console.info(
      `health: ${paths} paths, ${edges} edges; states ${coverage.states.reached}/${coverage.states.total}; transitions ${coverage.transitions.reached}/${coverage.transitions.total}`,
    );
    expect(coverage.states.missing).toEqual([]);
    expect(coverage.transitions.missing).toEqual([]);
  }, 300_000);
});
