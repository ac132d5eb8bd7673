import { describeCrashMatrix } from "./crash-matrix-suite.js";

describeCrashMatrix(
  "make-before-break and close-and-rebid migrations",
  (row) => row.flow.startsWith("migrate-") && row.kill.kind !== "reads",
);
