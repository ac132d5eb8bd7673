import { afterEach, describe, expect, it } from "vitest";
import {
  type AgentStore,
  creditKinds,
  openAgentStore,
  StoreError,
  startOfUtcDay,
} from "../../../src/services/store/index.js";
import { tempDirs } from "./fixtures/temp-dir.js";

const dirs = tempDirs();
let store: AgentStore | undefined;
afterEach(() => {
  store?.close();
  dirs.cleanup();
});

const day1 = Date.UTC(2026, 4, 1);
const day2 = Date.UTC(2026, 4, 2);
const hour = 3_600_000;

describe("spending", () => {
  it("records each key once and refuses a key reused for a different payment", () => {
    store = openAgentStore({ dataDir: dirs.make() });
    const first = store.spending.record({
      key: "top-up:1",
      kind: "escrow_deposit",
      denom: "uact",
      amount: 500_000n,
      createdAt: day1,
    });
    const again = store.spending.record({
      key: "top-up:1",
      kind: "escrow_deposit",
      denom: "uact",
      amount: "500000",
      createdAt: day2,
    });
    expect(first.created).toBe(true);
    expect(again).toEqual({ spend: first.spend, created: false });
    expect(() =>
      store!.spending.record({ key: "top-up:1", kind: "escrow_deposit", denom: "uact", amount: 1n }),
    ).toThrow(StoreError);
    expect(store.spending.setTxHash("top-up:1", "HASH").txHash).toBe("HASH");
  });

  it("keeps amounts beyond 2^63 exact and refuses non-integer amounts", () => {
    store = openAgentStore({ dataDir: dirs.make() });
    const huge = 2n ** 70n;
    store.spending.record({ key: "a", kind: "swap", denom: "basecro", amount: huge, createdAt: day1 });
    store.spending.record({ key: "b", kind: "swap", denom: "basecro", amount: huge, createdAt: day1 + 1 });
    expect(store.spending.totalBetween({ denom: "basecro", from: day1, to: day2 })).toBe(2n * huge);
    for (const amount of ["1.5", "-1", "01", "", "1e6"]) {
      expect(() =>
        store!.spending.record({ key: `bad-${amount}`, kind: "fee", denom: "uakt", amount }),
      ).toThrow(RangeError);
    }
    expect(() => store!.spending.record({ key: "neg", kind: "fee", denom: "uakt", amount: -1n })).toThrow(
      RangeError,
    );
    expect(() =>
      store!.db.prepare("INSERT INTO spending VALUES ('raw', 'fee', 'uakt', '1.5', NULL, 0)").run(),
    ).toThrow(/CHECK/);
  });

  it("sums per window, per denom and kind, and per UTC day", () => {
    store = openAgentStore({ dataDir: dirs.make() });
    const spend = (
      key: string,
      kind: "escrow_deposit" | "fee" | "child_funding",
      denom: string,
      amount: bigint,
      at: number,
    ) => store!.spending.record({ key, kind, denom, amount, createdAt: at });
    spend("1", "escrow_deposit", "uact", 1_000_000n, day1 + hour);
    spend("2", "escrow_deposit", "uact", 2_000_000n, day1 + 23 * hour);
    spend("3", "fee", "uakt", 5_000n, day1 + 2 * hour);
    spend("4", "child_funding", "uact", 7_000_000n, day2);
    spend("5", "fee", "uakt", 6_000n, day2 + hour);

    expect(store.spending.totalBetween({ denom: "uact", from: day1, to: day2 })).toBe(3_000_000n);
    expect(store.spending.totalBetween({ denom: "uact", from: day1, to: day2 + 1 })).toBe(10_000_000n);
    expect(
      store.spending.totalBetween({ denom: "uact", from: day1, to: day2 + hour, kinds: ["child_funding"] }),
    ).toBe(7_000_000n);
    expect(
      store.spending.totalBetween({
        denom: "uakt",
        from: startOfUtcDay(day2 + 5 * hour),
        to: day2 + 5 * hour,
      }),
    ).toBe(6_000n);

    expect(store.spending.dailyTotals({ from: day1, to: day2 + 24 * hour })).toEqual([
      { day: "2026-05-01", kind: "escrow_deposit", denom: "uact", amount: 3_000_000n, count: 2 },
      { day: "2026-05-01", kind: "fee", denom: "uakt", amount: 5_000n, count: 1 },
      { day: "2026-05-02", kind: "child_funding", denom: "uact", amount: 7_000_000n, count: 1 },
      { day: "2026-05-02", kind: "fee", denom: "uakt", amount: 6_000n, count: 1 },
    ]);
  });

  it("records an escrow refund once per key, as a credit against the day's spend", () => {
    store = openAgentStore({ dataDir: dirs.make() });
    store.spending.record({
      key: "deposit:1001",
      kind: "deployment_deposit",
      denom: "uact",
      amount: 5_000_000n,
      createdAt: day1 + hour,
    });
    const refund = {
      key: "close:1001:refund",
      kind: "escrow_refund",
      denom: "uact",
      amount: 4_200_000n,
      txHash: "CLOSEHASH",
      createdAt: day1 + 2 * hour,
    } as const;
    expect(store.spending.record(refund).created).toBe(true);
    // A re-run after a crash records it again under the same key: stored once, credited once.
    expect(store.spending.record({ ...refund, createdAt: day1 + 3 * hour }).created).toBe(false);
    expect(() => store!.spending.record({ ...refund, amount: 4_300_000n })).toThrow(StoreError);

    expect(store.spending.netBetween({ denom: "uact", from: day1, to: day2 })).toBe(800_000n);
    expect(store.spending.totalBetween({ denom: "uact", from: day1, to: day2, kinds: creditKinds })).toBe(
      4_200_000n,
    );
    // A refund alone (its deposit made another day) leaves the day's net below zero.
    store.spending.record({ ...refund, key: "close:1002:refund", createdAt: day2 });
    expect(store.spending.netBetween({ denom: "uact", from: day2, to: day2 + hour })).toBe(-4_200_000n);
    expect(store.spending.dailyTotals({ from: day1, to: day2 + hour })).toEqual([
      { day: "2026-05-01", kind: "deployment_deposit", denom: "uact", amount: 5_000_000n, count: 1 },
      { day: "2026-05-01", kind: "escrow_refund", denom: "uact", amount: 4_200_000n, count: 1 },
      { day: "2026-05-02", kind: "escrow_refund", denom: "uact", amount: 4_200_000n, count: 1 },
    ]);
  });

  it("startOfUtcDay truncates to midnight UTC", () => {
    expect(startOfUtcDay(day2 + 13 * hour + 59_000)).toBe(day2);
    expect(startOfUtcDay(day2)).toBe(day2);
  });
});
