import { describe, expect, it } from "vitest";
import { refusedActivationAlert } from "../../../src/runtime/activation-refusal-alerts.js";

const refusal = (at: string, status = 403) => ({
  at,
  status,
  reason: "the package is a keystore for another agent",
});

describe("the alert about refused activations", () => {
  it("is absent when nothing was refused", () => {
    expect(refusedActivationAlert({ count: 0, latest: [] }, 2, Date.now())).toBeNull();
  });

  it("names the count and each kept refusal, and keeps its id across restarts and within the hour", () => {
    const first = refusedActivationAlert({ count: 1, latest: [refusal("2026-12-03T10:05:00.000Z")] }, 2, 0);
    const again = refusedActivationAlert(
      { count: 3, latest: [refusal("2026-12-03T10:05:00.000Z"), refusal("2026-12-03T10:40:00.000Z", 409)] },
      2,
      0,
    );
    expect(first?.severity).toBe("high");
    expect(first?.message).toContain("refused 1 activation attempt(s)");
    expect(again?.message).toContain("refused 3 activation attempt(s)");
    expect(again?.message).toContain("2026-12-03T10:40:00.000Z (409)");
    expect(again?.message).toContain("and 1 older");
    expect(again?.id).toBe(first?.id);
  });

  it("raises a new alert in a later hour or for another generation, in the same incident per generation", () => {
    const at10 = refusedActivationAlert({ count: 1, latest: [refusal("2026-12-03T10:05:00.000Z")] }, 2, 0);
    const at11 = refusedActivationAlert({ count: 2, latest: [refusal("2026-12-03T11:05:00.000Z")] }, 2, 0);
    const nextGeneration = refusedActivationAlert(
      { count: 1, latest: [refusal("2026-12-03T10:05:00.000Z")] },
      3,
      0,
    );
    expect(at11?.id).not.toBe(at10?.id);
    expect(at11?.incident).toBe(at10?.incident);
    expect(nextGeneration?.id).not.toBe(at10?.id);
  });
});
