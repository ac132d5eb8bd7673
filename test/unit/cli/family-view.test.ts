import { describe, expect, it } from "vitest";
import { familyChildView } from "../../../src/cli/commands/family-view.js";
import type { ChildAgent } from "../../../src/services/store/index.js";

const child: ChildAgent = {
  id: "agent-a",
  index: 0,
  addresses: { akash: "akash1a", nostr: "npub1a" },
  role: "replica",
  region: null,
  dseq: "9",
  provider: "akash1p",
  generation: 0,
  state: "active",
  budget: { limitUact: "50000000", feeLimitUakt: "5000000", expiresAt: Date.UTC(2027, 0, 1) },
  funded: {},
  lastHeartbeatAt: null,
  createdAt: 1,
  updatedAt: 1,
};

describe("a child's budget in `family`", () => {
  it("spent is the limit minus what the grant has left; the chain's expiry wins over the registry's", () => {
    const expiresAt = new Date(Date.UTC(2026, 11, 31));
    expect(
      familyChildView(child, { read: true, left: { remainingUact: 35_500_000n, expiresAt } }).budget,
    ).toEqual({
      limitUact: "50000000",
      spentUact: "14500000",
      expiresAt: "2026-12-31T00:00:00.000Z",
    });
    // A grant the parent raised above the registry's limit has spent nothing of it.
    expect(
      familyChildView(child, { read: true, left: { remainingUact: 60_000_000n, expiresAt: null } }).budget
        .spentUact,
    ).toBe("0");
  });

  it("spent is null when the chain was not read, holds no grant, or no limit is known", () => {
    expect(familyChildView(child, { read: false }).budget).toEqual({
      limitUact: "50000000",
      spentUact: null,
      expiresAt: "2027-01-01T00:00:00.000Z",
    });
    expect(familyChildView(child, { read: true, left: null }).budget.spentUact).toBeNull();
    const unfunded = { ...child, budget: null };
    expect(
      familyChildView(unfunded, { read: true, left: { remainingUact: 1n, expiresAt: null } }).budget,
    ).toEqual({ limitUact: null, spentUact: null, expiresAt: null });
  });
});
