import { describeCrashMatrix } from "./crash-matrix-suite.js";

describeCrashMatrix(
  "top-up and termination",
  (row) => row.flow !== "deploy" && !row.flow.startsWith("migrate-") && row.kill.kind !== "reads",
);
