import { describe, expect, it } from "vitest";
import { checkModel } from "../support/model-paths.js";
import { leaseModel } from "./models/lease.model.js";

describe("lease machine, model-based", () => {
  it("replays a path for every edge of the model and reaches every state and transition", async () => {
    const { coverage, paths, edges } = await checkModel(leaseModel);
    console.info(
      `lease: ${paths} paths, ${edges} edges; states ${coverage.states.reached}/${coverage.states.total}; transitions ${coverage.transitions.reached}/${coverage.transitions.total}`,
    );
    expect(coverage.states.missing).toEqual([]);
    expect(coverage.transitions.missing).toEqual([]);
  }, 120_000);
});
