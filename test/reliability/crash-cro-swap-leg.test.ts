import { describe } from "vitest";
import { croCrashRows } from "./crash-cro-rows.js";

describe("crash matrix: SIGKILL in the swap leg of the CRO→AKT bootstrap, then restart", () => {
  croCrashRows([
    { spec: "cronos_swap:signed", label: "after the swap is signed" },
    { spec: "cronos_swap:sent", label: "after the swap is sent" },
  ]);
});
