import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  deployFleet,
  type FleetWorld,
  fleetLeaseInput,
  fleetLeaseSettings,
  openFleetWorld,
} from "../../../bench/fleet/fleet-run.js";
import { ownerOf } from "../../../bench/fleet/fleet-services.js";
import type { FundsRequest } from "../../../src/machines/index.js";
import { HOSTED_LEASE_MACHINE_VERSION, hostedLeaseMachineId } from "../../../src/runtime/agent-host.js";
import type { LeaseFunder } from "../../../src/runtime/hosted-lease-funds.js";

const AGENTS = 50;
/** Leases whose escrow top-up is asked for just before the host goes down. */
const RENEWING = ["agent-3", "agent-17", "agent-42"];

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A funder that pays deployments but never answers an escrow top-up (until the host stops). */
const holdTopUps =
  (pay: LeaseFunder): LeaseFunder =>
  (agentId, request, signal) =>
    request.purpose === "escrow_top_up"
      ? new Promise((_, reject) =>
          signal.addEventListener("abort", () => reject(signal.reason), { once: true }),
        )
      : pay(agentId, request, signal);

/** A funder whose first try of each request fails (a node down), and which pays from then on. */
function failFirstTry(pay: LeaseFunder, tried: Map<string, number>): LeaseFunder {
  return async (agentId, request, signal) => {
    const tries = (tried.get(request.requestId) ?? 0) + 1;
    tried.set(request.requestId, tries);
    if (tries === 1) throw new Error("the chain node is unreachable");
    return pay(agentId, request, signal);
  };
}

async function settle(rounds = 200): Promise<void> {
  for (let round = 0; round < rounds; round += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

async function depositedUact(world: FleetWorld, agentId: string): Promise<string | undefined> {
  const dseq = world.host.view(agentId)?.dseq ?? "";
  return (await world.sim.chainFor(ownerOf(agentId)).deployment(dseq))?.escrow?.depositedUact;
}

describe("a host of many lease actors over one store", () => {
  it("persists each lease on its own rows, resumes each where it was after a restart, and stops them all", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "agent-host-"));
    dirs.push(dataDir);
    const first = await openFleetWorld({
      agents: AGENTS,
      persist: true,
      synchronous: "NORMAL",
      dataDir,
      wrapFund: holdTopUps,
    });
    await deployFleet(first, 20);
    const { host, store, ids } = first;
    expect(host.size).toBe(AGENTS);
    expect(host.resumed).toBe(0);

    // Every lease is served by a lease of its own on chain and has written its own snapshot rows.
    const rows = store.db
      .prepare("SELECT machine_id AS machineId, COUNT(*) AS count FROM actor_snapshots GROUP BY machine_id")
      .all() as Array<{ machineId: string; count: number }>;
    expect(rows.map((row) => row.machineId).sort()).toEqual(ids.map(hostedLeaseMachineId).sort());
    for (const id of ids) {
      const stored = store.snapshots.latest(hostedLeaseMachineId(id));
      expect(stored?.machineVersion).toBe(HOSTED_LEASE_MACHINE_VERSION);
      const persisted = JSON.parse(stored?.snapshotJson ?? "{}") as {
        value: unknown;
        context: { agentId: string };
      };
      expect(persisted.context.agentId).toBe(id);
      // Written at its last barrier (DESIGN §17): the services check started; becoming active started no
      // effect, so it waits for the next barrier (a restart would run the services check again).
      expect(persisted.value).toEqual({ starting: "working" });
    }
    // A flush writes what the barriers left in memory.
    host.flush();
    for (const id of ids) {
      const persisted = JSON.parse(store.snapshots.latest(hostedLeaseMachineId(id))?.snapshotJson ?? "{}");
      expect(persisted.value).toEqual({ active: "awaiting_health" });
    }
    expect(
      new Set(ids.map((id) => host.view(id)?.dseq && `${ownerOf(id)}/${host.view(id)?.dseq}`)).size,
    ).toBe(AGENTS);

    // A health check brings every lease to monitoring; three find their escrow low and ask for a top-up
    // that the host has not paid when it goes down.
    const at = first.clock.now();
    for (const id of ids) host.send(id, { type: "HEALTH.PASSED", at, escrowRunwayHours: 5 });
    for (const id of RENEWING)
      host.send(id, { type: "LEASE.ESCROW_LOW", runwayHours: 1, observedAt: at + 1 });
    await settle();
    const before = new Map(ids.map((id) => [id, host.actor(id)?.getSnapshot()]));
    const pending = new Map<string, FundsRequest | null | undefined>(
      RENEWING.map((id) => [id, before.get(id)?.context.pendingRequest]),
    );
    for (const id of RENEWING) {
      expect(before.get(id)?.value).toEqual({ active: "renewing" });
      expect(pending.get(id)?.purpose).toBe("escrow_top_up");
    }
    const depositsBefore = new Map(
      await Promise.all(RENEWING.map(async (id) => [id, await depositedUact(first, id)] as const)),
    );
    const actors = ids.map((id) => host.actor(id));
    first.close();
    // Stopping the host stops every lease it ran.
    expect(actors.every((actor) => actor?.getSnapshot().status === "stopped")).toBe(true);

    // A new host over the same store resumes each lease where it was.
    const tried = new Map<string, number>();
    const second = await openFleetWorld({
      agents: AGENTS,
      persist: true,
      synchronous: "NORMAL",
      dataDir,
      clock: first.clock,
      sim: first.sim,
      wrapFund: (pay) => failFirstTry(pay, tried),
    });
    second.host.start(ids.map(fleetLeaseInput));
    await settle();
    expect(second.host.resumed).toBe(AGENTS);
    for (const id of ids.filter((id) => !RENEWING.includes(id))) {
      const now = second.host.actor(id)?.getSnapshot();
      expect(now?.value).toEqual(before.get(id)?.value);
      // The last health reading is volatile: not persisted, read again at the next check.
      expect(now?.context.lastHealthyAt).toBeNull();
      expect(now?.context).toEqual({ ...before.get(id)?.context, lastHealthyAt: null });
    }
    // The top-ups asked for before the restart were tried at once and failed: the leases still wait.
    for (const id of RENEWING) {
      const requestId = pending.get(id)?.requestId ?? "";
      expect(tried.get(requestId)).toBe(1);
      expect(second.host.actor(id)?.getSnapshot().value).toEqual({ active: "renewing" });
      expect(second.host.actor(id)?.getSnapshot().context.pendingRequest).toEqual(pending.get(id));
    }

    // Their request timeout was re-armed by the restore (an invoked wait, not a lost `after` timer):
    // when it passes, each asks again and is paid, once.
    second.clock.advanceTo(second.clock.now() + fleetLeaseSettings.requestTimeoutMs);
    await settle();
    for (const id of RENEWING) {
      const snapshot = second.host.actor(id)?.getSnapshot();
      expect(snapshot?.value).toEqual({ active: "monitoring" });
      expect(snapshot?.context.topUps).toBe((before.get(id)?.context.topUps ?? 0) + 1);
      const amount = BigInt(pending.get(id)?.amountUact ?? "0");
      expect(await depositedUact(second, id)).toBe(String(BigInt(depositsBefore.get(id) ?? "0") + amount));
    }
    second.close();
    expect(ids.every((id) => second.host.actor(id)?.getSnapshot().status === "stopped")).toBe(true);
  });

  it("refuses a second lease for the same agent and an input without an agent id", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "agent-host-"));
    dirs.push(dataDir);
    const world = await openFleetWorld({ agents: 1, persist: false, synchronous: "NORMAL", dataDir });
    try {
      world.host.start([fleetLeaseInput("agent-0")]);
      expect(() => world.host.start([fleetLeaseInput("agent-0")])).toThrow(
        /agent "agent-0" already has a lease in this host/,
      );
      expect(() => world.host.start([fleetLeaseInput("")])).toThrow(/input\.agentId/);
      expect(() => world.host.send("agent-9", { type: "LEASE.DEPLOY" })).toThrow(
        /agent "agent-9" has no lease/,
      );
    } finally {
      world.close();
    }
  });
});
