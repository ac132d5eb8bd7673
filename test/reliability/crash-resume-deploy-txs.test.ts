import { describeCrashMatrix } from "./crash-matrix-suite.js";

describeCrashMatrix(
  "deploy flow, inside each chain call",
  (row) => row.flow === "deploy" && row.kill.kind === "tx",
);
