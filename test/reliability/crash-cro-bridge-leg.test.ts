import { describe } from "vitest";
import { croCrashRows } from "./crash-cro-rows.js";

describe("crash matrix: SIGKILL after the swap is mined and after send_to_ibc, then restart", () => {
  croCrashRows([
    { spec: "cronos_swap:mined", label: "after the swap is mined" },
    { spec: "cronos_bridge:mined", label: "after send_to_ibc is mined" },
  ]);
});
