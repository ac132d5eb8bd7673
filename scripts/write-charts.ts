import { writeFileSync } from "node:fs";
import { chartDocuments } from "../src/machines/chart-documents.js";

/** Regenerates docs/charts/*.md from the machines (`npm run docs:charts`). */
for (const [path, text] of Object.entries(chartDocuments())) {
  writeFileSync(path, text);
  process.stdout.write(`wrote ${path}\n`);
}
