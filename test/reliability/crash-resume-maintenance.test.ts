import { describeCrashMatrix } from "./crash-matrix-suite.js";

describeCrashMatrix(
  "top-up, migrations and termination",
  (row) => row.flow !== "deploy" && row.kill.kind !== "reads",
);
