import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createActor, toPromise } from "xstate";
import type { AgentServices } from "../../../src/actors/agent-services.js";
import {
  createReproductionActors,
  type ReproductionActorOptions,
} from "../../../src/actors/reproduction-actors.js";
import { loadConfig } from "../../../src/config/index.js";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { createLogger } from "../../../src/logging/index.js";
import type { ChildRecord } from "../../../src/machines/reproduction/reproduction.types.js";
import { actorSettingsFromConfig } from "../../../src/runtime/agent-settings.js";
import { startTestDevnet } from "../../support/devnet.js";
import {
  type AgentUnderTest,
  agentSdl,
  type ChildUnderTest,
  freshDseq,
  startAgent,
  startChild,
} from "../akash/akash-test-kit.js";

const DAY_MS = 86_400_000;
const BUDGET_UACT = "3000000";
const FEE_UAKT = "2000000";

/**
 * A child's grants expire a grant period after its birth (DESIGN §13: with expiry); a child whose
 * grants lapse can neither deposit nor pay a fee. The parent's heartbeat check lists the children whose
 * grants expire within a third of a period, and `renewChildGrants` grants again what each may still
 * spend, for another period: the cap stays what it was, only the expiry moves.
 */
describe("a parent renews its child's grants before they expire", () => {
  let devnet: DevnetHandle;
  let parent: AgentUnderTest;
  let kid: ChildUnderTest;
  const config = loadConfig({ env: {} });
  const grantDays = config.reproduction.grantDays;
  let actors: ReturnType<typeof createReproductionActors>;
  let record: ChildRecord;

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 1 });
    parent = await startAgent(devnet, { uakt: 100_000_000n, uact: 20_000_000n });
    kid = await startChild(devnet, parent.address);
    const services = {
      chain: parent.akash.chain,
      store: parent.store,
      childGrants: parent.akash.childGrants,
      settings: actorSettingsFromConfig(config, { blockSeconds: 0.1, pollIntervalMs: 50 }),
      logger: createLogger({ level: "silent", json: true }),
      now: Date.now,
    } as unknown as AgentServices;
    // Renewal and the heartbeat check read no rule, gate or trigger.
    actors = createReproductionActors(services, {} as ReproductionActorOptions);
    record = {
      childId: "agent-kid",
      index: 0,
      akash: kid.address,
      npub: "npub1kid",
      role: "replica",
      region: null,
      dseq: null,
      provider: null,
      generation: 1,
      activatedAt: Date.now(),
      lastHeartbeatAt: Date.now(),
      silent: false,
      lastResurrectionAt: null,
      resurrections: 0,
    };
  });

  afterAll(async () => {
    await kid?.close();
    await parent?.close();
    await devnet?.stop();
  });

  const check = () =>
    toPromise(
      createActor(actors.checkHeartbeats, {
        input: { children: [record], silenceThresholdMs: 600_000 },
      }).start(),
    );
  const renew = (key: string) =>
    toPromise(createActor(actors.renewChildGrants, { input: { key, child: record } }).start());

  it("lists the child once its grants near expiry, re-grants what it has left for a new period, once", async () => {
    // Born 25 days ago: 5 of its 30 days left, under a third of the period.
    const expiresAt = Date.now() + 5 * DAY_MS;
    await parent.akash.childGrants.grantChildBudget({
      key: "birth-grant",
      child: kid.address,
      limitUact: BUDGET_UACT,
      feeLimitUakt: FEE_UAKT,
      expiresAt,
    });
    parent.store.children.register({
      id: record.childId,
      index: 0,
      addresses: { akash: kid.address, nostr: record.npub },
      role: "replica",
      region: null,
      state: "active",
    });
    parent.store.children.setBudget(record.childId, {
      limitUact: BUDGET_UACT,
      feeLimitUakt: FEE_UAKT,
      expiresAt,
    });
    // The child spends part of its budget: its deployment's deposit comes from the grant.
    const sdl = await agentSdl(kid.address, devnet.chainId);
    const dseq = await freshDseq(parent);
    await kid.akash.chain.createDeployment({
      key: `deploy-${dseq}`,
      dseq,
      sdlYaml: sdl.yaml,
      manifestVersion: sdl.manifestVersion,
      depositUact: "500000",
    });
    const before = await parent.akash.childGrants.childGrants(kid.address);
    expect(before.deposit?.remainingUact).toBe("2500000");

    expect((await check()).grantsExpiring).toEqual([record.childId]);

    const key = "agent-parent:renew-grants:agent-kid:1";
    await renew(key);
    const after = await parent.akash.childGrants.childGrants(kid.address);
    // The cap is unchanged: what was left of it, no more.
    expect(after.deposit?.remainingUact).toBe("2500000");
    const renewedTo = Date.now() + grantDays * DAY_MS;
    expect(Math.abs((after.deposit?.expiresAt ?? 0) - renewedTo)).toBeLessThan(60_000);
    expect(Math.abs((after.fee?.expiresAt ?? 0) - renewedTo)).toBeLessThan(60_000);
    expect(BigInt(after.fee?.remainingUakt ?? "0")).toBeLessThanOrEqual(BigInt(FEE_UAKT));
    expect(parent.store.children.byId(record.childId)?.budget).toMatchObject({
      limitUact: BUDGET_UACT,
      expiresAt: after.deposit?.expiresAt,
    });

    // The next check no longer lists it; a renewal run again (a restart) sends nothing.
    expect((await check()).grantsExpiring).toEqual([]);
    const balances = await parent.akash.chain.balances();
    await renew(key);
    await renew("agent-parent:renew-grants:agent-kid:2");
    expect(await parent.akash.chain.balances()).toEqual(balances);

    // The renewed grant pays: the child tops its deployment up from it.
    await kid.akash.chain.deposit({ key: `top-up-${dseq}`, dseq, amountUact: "400000" });
    expect((await parent.akash.childGrants.childGrants(kid.address)).deposit?.remainingUact).toBe("2100000");
  });

  it("says why when there is nothing left to renew: the grants revoked", async () => {
    await parent.akash.childGrants.revokeChildGrants({ key: "revoke-kid", child: kid.address });
    const soon = Date.now() + DAY_MS;
    const budget = parent.store.children.byId(record.childId)?.budget;
    parent.store.children.setBudget(record.childId, { ...budget!, expiresAt: soon });
    await expect(renew("agent-parent:renew-grants:agent-kid:3")).rejects.toThrow(
      /deposit grant is gone \(expired or revoked\)/,
    );
  });
});
