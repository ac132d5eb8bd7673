import { describe, expect, it } from "vitest";
import { tookOverSinceLastBackup } from "../../../src/runtime/backup-milestones.js";

describe("a generation taking over is a backup milestone", () => {
  const activatedAt = 1_000_000;

  it("backs up an instance that leads since after its last backup (just activated, or taken back)", () => {
    expect(
      tookOverSinceLastBackup({ state: "leading", updatedAt: activatedAt }, { at: activatedAt - 1 }),
    ).toBe(true);
    expect(tookOverSinceLastBackup({ state: "leading", updatedAt: activatedAt }, null)).toBe(true);
  });

  it("does not back up again once a backup followed the take-over (a restart), nor for a store that never recorded leadership", () => {
    expect(
      tookOverSinceLastBackup({ state: "leading", updatedAt: activatedAt }, { at: activatedAt + 5 }),
    ).toBe(false);
    expect(tookOverSinceLastBackup({ state: "leading", updatedAt: 0 }, null)).toBe(false);
  });

  it("does not back up a store that handed over or was superseded (it no longer acts)", () => {
    expect(tookOverSinceLastBackup({ state: "handed_over", updatedAt: activatedAt }, null)).toBe(false);
    expect(tookOverSinceLastBackup({ state: "superseded", updatedAt: activatedAt }, null)).toBe(false);
  });
});
