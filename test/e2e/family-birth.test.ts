import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../src/devnet/index.js";
import { createLogger } from "../../src/logging/index.js";
import { resolveDevnetEndpoints } from "../../src/services/akash/akash-endpoints.js";
import { connectAkash } from "../../src/services/akash/connect-akash.js";
import { createAkashWallets } from "../../src/services/keys/akash-wallets.js";
import { deriveChildMnemonic } from "../../src/services/keys/child-mnemonic.js";
import { secretString } from "../../src/services/keys/index.js";
import type { ChildAgent } from "../../src/services/store/child-repository.js";
import { openAgentStore } from "../../src/services/store/index.js";
import { runCli } from "../../support/run-cli.js";
import { DEPLOYED_AGENT_READY_MS } from "../support/agent-harness.js";
import { startTestAgentProcess, type TestAgentProcess } from "../support/agent-process-harness.js";
import { chainAudit, DEPLOYMENT_ACTIVE } from "../support/chain-audit.js";
import { remoteStatus } from "../support/deployed-agent-probes.js";
import { agentProcessOptions, startTestDevnet, waitFor } from "../support/devnet.js";

const BUDGET_UACT = 20_000_000n;
const FEE_BUDGET_UAKT = 3_000_000n;
const figures: Record<string, number> = {};

/**
 * DESIGN §13 on the devnet, end to end: a parent agent spawns two children on providers other than its
 * own; each child deploys from its own account with deposits drawn from the parent's grant and fees
 * from its feegrant, leads itself in its own lease, and sends heartbeats the parent hears; a deposit
 * past the grant is refused by the chain; a retired child's grants are revoked on chain.
 */
describe("a parent spawns, watches and retires funded children", () => {
  let devnet: DevnetHandle;
  let parent: TestAgentProcess;
  const dirs: string[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  const children = (): ChildAgent[] => parent.store.children.all();
  const child = (id: string) => children().find((known) => known.id === id);

  beforeAll(async () => {
    devnet = await startTestDevnet({
      providers: 4,
      nostr: true,
      ...agentProcessOptions(tempDir("family-logs-")),
    });
    parent = await startTestAgentProcess(devnet, {
      settings: {
        "agent.sdlProfile": "relay",
        "agent.relayDomain": "127.0.0.1",
        "heartbeat.intervalMs": 1_000,
        "timeouts.servicesReadyMs": DEPLOYED_AGENT_READY_MS,
        "reproduction.enabled": true,
        "reproduction.maxChildren": 2,
        "reproduction.triggers": [],
        "reproduction.childBudgetUact": BUDGET_UACT.toString(),
        "reproduction.childFeeBudgetUakt": FEE_BUDGET_UAKT.toString(),
        "reproduction.heartbeatCheckMs": 500,
        "reproduction.silenceThresholdMs": 60_000,
        "budget.childAllocationCapUsd": 100,
        "budget.dailySpendCapUsd": 1_000,
        "budget.treasuryMinimumUsd": 0,
      },
    });
    await parent.until("active.monitoring");
  }, 120_000);

  afterAll(async () => {
    await parent?.close();
    await devnet?.stop();
    if (!process.env.KEEP_TEST_DIRS) for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept: ${dirs.join(" ")}`);
    console.log(`family figures: ${JSON.stringify(figures)}`);
  });

  /** The family's state, for a failure's message. */
  function familyState(): string {
    const reproduction = (
      parent.runtime.actor.getSnapshot().children as Record<
        string,
        { getSnapshot(): { value: unknown; context: unknown } }
      >
    ).reproduction?.getSnapshot();
    const context = reproduction?.context as
      | { requests?: unknown; lastReason?: unknown; lastError?: unknown }
      | undefined;
    return JSON.stringify({
      state: reproduction?.value,
      requests: context?.requests,
      lastReason: context?.lastReason,
      lastError: context?.lastError,
      children: children().map((known) => `${known.index}:${known.state}`),
    });
  }

  async function spawn(requestId: string): Promise<ChildAgent> {
    const before = new Set(children().map((known) => known.id));
    const started = performance.now();
    parent.runtime.send({ type: "REPRODUCTION.SPAWN", requestId, role: "replica", region: null }, "test");
    const born = await waitFor(
      async () => {
        if (familyState().includes('"state":"refused"')) throw new Error(`spawn refused: ${familyState()}`);
        return children().find((known) => !before.has(known.id) && known.state === "active");
      },
      180_000,
      `the child of ${requestId} active`,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; family: ${familyState()}`);
    });
    figures[`${requestId}ToActiveMs`] = Math.round(performance.now() - started);
    return born;
  }

  it("two children on two providers other than the parent's, funded by the grant, heard by the parent", async () => {
    const parentProvider = parent.runtime.lease()?.provider;
    expect(parentProvider).toMatch(/^akash1/);
    const first = await spawn("spawn-1");
    // The second through the operator's command: `akash-agent spawn`, signed with the parent's key.
    const started = performance.now();
    const asked = await runCli(["spawn", "--url", parent.url, "--role", "replica", "--json"], {
      AGENT_MNEMONIC: parent.mnemonic,
    });
    expect(asked.code, asked.stderr).toBe(0);
    const answer = JSON.parse(asked.stdout) as { ok: boolean; agentId: string };
    expect(answer).toMatchObject({ ok: true, action: "spawn", agentId: expect.stringMatching(/^agent-/) });
    const second = await waitFor(
      async () => (child(answer.agentId)?.state === "active" ? child(answer.agentId) : undefined),
      180_000,
      `the child ${answer.agentId} active`,
    );
    figures.cliSpawnToActiveMs = Math.round(performance.now() - started);
    // A third is over the quota: refused with the gate's reason, exit 1.
    const third = await runCli(["spawn", "--url", parent.url, "--role", "replica"], {
      AGENT_MNEMONIC: parent.mnemonic,
    });
    expect(third.code).toBe(1);
    expect(third.stdout).toMatch(/quota of children is full/);
    expect([first.index, second.index].sort()).toEqual([0, 1]);
    const providers = [first.provider, second.provider];
    expect(new Set(providers).size).toBe(2);
    expect(providers).not.toContain(parentProvider);

    const audit = chainAudit(devnet);
    for (const born of [first, second]) {
      // The child's deployment is its own, and its escrow holds the parent's grant money.
      const deployments = (await audit.deployments(born.addresses.akash!)).filter(
        (d) => d.state === DEPLOYMENT_ACTIVE,
      );
      expect(deployments.map((d) => d.dseq)).toEqual([born.dseq]);
      expect(deployments[0]!.depositors).toEqual([parent.keys.identity.akash]);
      // It leads itself: its own instance answers, generation 1, in that deployment (once the
      // activated instance has restarted its server as the leader).
      const uri = (await childUri(born))!;
      const status = await waitFor(async () => {
        const answer = await remoteStatus(uri).catch(() => undefined);
        return answer?.leadership?.generation === 1 ? answer : undefined;
      }, 30_000);
      expect(status.dseq).toBe(born.dseq);
      // Its budget and fees come from the parent's grants.
      const grants = await parent.connection.childGrants.childGrants(born.addresses.akash!);
      expect(BigInt(grants.deposit!.remainingUact)).toBeLessThan(BUDGET_UACT);
      expect(BigInt(grants.fee!.remainingUakt!)).toBeLessThan(FEE_BUDGET_UAKT);
    }

    // The parent hears its children's heartbeats, sent by their own instances.
    const bornAt = Date.now();
    await waitFor(
      async () =>
        [first, second].every((born) => (child(born.id)?.lastHeartbeatAt ?? 0) > bornAt) ? true : undefined,
      30_000,
      "a heartbeat from each child after both were born",
    );
  }, 420_000);

  it("a deposit past the child's grant is refused by the chain", async () => {
    const born = children().find((known) => known.index === 0)!;
    const endpoints = await resolveDevnetEndpoints(devnet.control);
    const mnemonic = deriveChildMnemonic(secretString(parent.mnemonic), 0);
    const store = openAgentStore({ dataDir: tempDir("child-signer-") });
    const asChild = await connectAkash({
      endpoints,
      wallets: await createAkashWallets(mnemonic, 0),
      store,
      fundedBy: parent.keys.identity.akash,
      options: { broadcastPollIntervalMs: 100, logger: createLogger({ level: "silent", json: true }) },
    });
    try {
      const grants = await parent.connection.childGrants.childGrants(born.addresses.akash!);
      const tooMuch = (BigInt(grants.deposit!.remainingUact) + 1n).toString();
      await expect(
        asChild.chain.deposit({ key: "test:past-the-grant", dseq: born.dseq!, amountUact: tooMuch }),
      ).rejects.toThrow(/insufficient balance/);
    } finally {
      await asChild.chain.close();
      store.close();
    }
  }, 60_000);

  it("a retired child: its deployment closed, both grants revoked on chain, its record kept", async () => {
    const retiring = children().find((known) => known.index === 1)!;
    const retired = await runCli(["retire", "--url", parent.url, retiring.id], {
      AGENT_MNEMONIC: parent.mnemonic,
    });
    expect(retired.code, retired.stderr).toBe(0);
    expect(retired.stdout.trim()).toBe(`${retiring.id} retired`);
    expect(child(retiring.id)?.state).toBe("retired");
    const grants = await parent.connection.childGrants.childGrants(retiring.addresses.akash!);
    expect(grants).toEqual({ deposit: null, fee: null });
    const deployments = await chainAudit(devnet).deployments(retiring.addresses.akash!);
    expect(deployments.filter((d) => d.state === DEPLOYMENT_ACTIVE)).toEqual([]);
    expect(child(retiring.id)).toMatchObject({ state: "retired", index: 1, dseq: retiring.dseq });
    // The other child lives on.
    expect(children().find((known) => known.index === 0)?.state).toBe("active");
  }, 180_000);

  /** The child's instance URI, from its lease on the provider (what `run --json` printed at birth). */
  async function childUri(born: ChildAgent): Promise<string | undefined> {
    const dataDir = join(parent.dataDir, "children", born.id);
    const store = openAgentStore({ dataDir });
    try {
      return store.leadership.current().leader?.uri;
    } finally {
      store.close();
    }
  }
});
