import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chartDocuments } from "../../src/machines/chart-documents.js";

describe("documented charts", () => {
  it("match the machines (regenerate with `npm run docs:charts`)", () => {
    for (const [path, text] of Object.entries(chartDocuments())) {
      expect(readFileSync(path, "utf8"), `${path} is out of date: run npm run docs:charts`).toBe(text);
    }
  });
});
