import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/errors.js";
import {
  ACTIVATION_CRASH_AT_ENV,
  activationCrashPointFromEnv,
  HANDOVER_CRASH_AT_ENV,
  handoverCrashPointFromEnv,
} from "../../../src/runtime/handover-crash-point.js";

describe("handover and activation crash points", () => {
  it("refuses a spec that names no known step, naming the variable and the steps", () => {
    for (const spec of ["handed", "recorded@", "recorded@a@b", "stopped,nope"]) {
      expect(() => handoverCrashPointFromEnv("agent-1", { [HANDOVER_CRASH_AT_ENV]: spec })).toThrow(
        UsageError,
      );
    }
    expect(() => activationCrashPointFromEnv("agent-1", { [ACTIVATION_CRASH_AT_ENV]: "recorded" })).toThrow(
      /AKASH_AGENT_ACTIVATION_CRASH_AT=recorded .*persisted, acknowledged/,
    );
  });

  it("does nothing when unset, at another step, or for another agent", () => {
    // Each hook below would SIGKILL this test process (and fail the file) if it were armed for its step.
    const unarmed = [
      () => handoverCrashPointFromEnv("agent-1", {})("stopped"),
      () => handoverCrashPointFromEnv("agent-1", { [HANDOVER_CRASH_AT_ENV]: "recorded" })("stopped"),
      () => handoverCrashPointFromEnv("agent-1", { [HANDOVER_CRASH_AT_ENV]: "stopped@agent-2" })("stopped"),
      () =>
        activationCrashPointFromEnv("agent-1", {
          [ACTIVATION_CRASH_AT_ENV]: "persisted@agent-2,acknowledged@agent-3",
        })("persisted"),
    ];
    for (const call of unarmed) expect(call()).toBeUndefined();
  });
});
