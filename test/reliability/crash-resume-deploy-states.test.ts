import { describeCrashMatrix } from "./crash-matrix-suite.js";

describeCrashMatrix(
  "deploy flow, every lease state",
  (row) => row.flow === "deploy" && row.kill.kind === "state",
);
