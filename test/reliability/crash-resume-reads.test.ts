import { describeCrashMatrix } from "./crash-matrix-suite.js";

describeCrashMatrix(
  "kills between read-only steps and the next barrier (DESIGN §17)",
  (row) => row.kill.kind === "reads",
);
