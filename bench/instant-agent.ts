import { type AnyActorLogic, fromCallback, fromPromise, type SimulatedClock } from "xstate";
import {
  type AgentMachine,
  type AgentSettings,
  agentMachine,
  type BidSummary,
  type DeploymentRef,
  type HealthReport,
  healthMachine,
  keyRotationMachine,
  type LoadedIdentity,
  leaseMachine,
  reproductionMachine,
  treasuryMachine,
} from "../src/machines/index.js";
import type {
  AwaitServicesInput,
  CollectBidsInput,
  ConfirmLeaseInput,
  EvaluateBidsInput,
  GenerateSdlInput,
} from "../src/machines/lease/lease.actors.js";
import type { WaitForInput, WaitUntilInput } from "../src/machines/shared/index.js";

const DAY_MS = 86_400_000;

/** A health check every minute; the escrow runway reads low on every other check, which starts a top-up. */
export const HEALTH_INTERVAL_MS = 60_000;

export const benchSettings: AgentSettings = {
  resources: { cpuUnits: 2, memoryGi: 4, storageGi: 100 },
  lease: {
    minBids: 1,
    bidWindowMs: 30_000,
    maxAttempts: 3,
    retry: { maxRetries: 3, baseDelayMs: 1_000, maxDelayMs: 60_000 },
    initialDepositUact: "500000",
    topUpToHours: 72,
    blockSeconds: 6,
    requestTimeoutMs: 120_000,
  },
  health: {
    intervalMs: HEALTH_INTERVAL_MS,
    failuresBeforeAlarm: 3,
    thresholds: {
      memoryPercent: 90,
      diskPercent: 85,
      cpuPercent: 95,
      escrowRunwayHours: 24,
      walletRunwayDays: 7,
    },
  },
  keys: {
    intervalDays: { akash: 30, payment: 30, identity: 90, encryption: 90 },
    graceMs: DAY_MS,
    retryAfterMs: 3_600_000,
  },
  treasury: {
    // High enough that a long run of top-ups is never refused: the bench measures the happy path.
    dailySpendCapUsd: 1e12,
    childAllocationCapUsd: 50,
    treasuryMinimumUsd: 10,
    actUsd: 1,
    aktUsd: 0.5,
    pollIntervalMs: 3_600_000,
    minAktReserveUakt: "1000000",
    swapChunkUakt: "4000000",
    retry: { maxRetries: 3, baseDelayMs: 1_000, maxDelayMs: 60_000 },
  },
  reproduction: {
    enabled: false,
    isChild: false,
    childrenMayReproduce: false,
    maxChildren: 0,
    evaluateEveryMs: 3_600_000,
    heartbeatCheckMs: 60_000,
    silenceThresholdMs: 600_000,
    requestTimeoutMs: 120_000,
    maxBirthAttempts: 3,
    heartbeatRelays: [],
  },
  minimumFundingUakt: "5000000",
  shutdownTimeoutMs: 60_000,
};

/** A promise actor that resolves at once (one microtask) with `output(input)`. */
function instant<TInput>(output: (input: TInput) => unknown): AnyActorLogic {
  return fromPromise<unknown, TInput>(async ({ input }) => output(input));
}

function sleep(clock: SimulatedClock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0) {
      resolve();
      return;
    }
    const id = clock.setTimeout(resolve, ms);
    signal.addEventListener("abort", () => clock.clearTimeout(id), { once: true });
  });
}

function identity(now: number): LoadedIdentity {
  const rotated = { index: 0, rotatedAt: now - DAY_MS };
  return {
    identity: {
      agentId: "agent-bench",
      akash: "akash1bench",
      evm: "0x0000000000000000000000000000000000000001",
      npub: "npub1bench",
      nostrPubkey: "00",
    },
    keys: { akash: rotated, payment: rotated, identity: rotated, encryption: rotated },
    children: [],
  };
}

function healthReport(now: number): HealthReport {
  const lowEscrow = Math.floor(now / HEALTH_INTERVAL_MS) % 2 === 1;
  return {
    at: now,
    provider: { reachable: true, responsive: true },
    lease: { state: "active", reclaimDeadline: null, deploymentOpen: true },
    services: { ready: 3, total: 3 },
    usage: { memoryPercent: 40, diskPercent: 40, cpuPercent: 40 },
    escrowRunwayHours: lowEscrow ? 12 : 60,
    walletRunwayDays: 30,
  };
}

/**
 * The real agent machine and its five real children, every effect an actor that succeeds at once
 * and every wait on `clock`: moving the clock by one health interval makes every agent built from
 * it run one health check (and, every other time, an escrow top-up through the treasury).
 */
export function instantAgentMachine(clock: SimulatedClock): AgentMachine {
  const waits = {
    waitFor: fromPromise<void, WaitForInput>(({ input, signal }) => sleep(clock, input.ms, signal)),
    waitUntil: fromPromise<void, WaitUntilInput>(({ input, signal }) =>
      sleep(clock, input.until - clock.now(), signal),
    ),
  };
  const done = instant(() => undefined);
  const stepDone = instant(() => ({ at: clock.now() }));
  const lease = leaseMachine.provide({
    actors: {
      ...waits,
      generateSdl: instant<GenerateSdlInput>(({ key, resources }): DeploymentRef => {
        const generation = Number(key.slice(key.lastIndexOf(":") + 1));
        return { dseq: String(1000 + generation), manifestVersion: "bench", resources, maxPriceUact: "400" };
      }),
      createDeployment: done,
      startPausedGroups: done,
      collectBids: instant<CollectBidsInput>(({ dseq }) => ({
        bids: [{ dseq, gseq: 1, oseq: 1, provider: "akash1provider", priceUact: "300" } satisfies BidSummary],
      })),
      evaluateBids: instant<EvaluateBidsInput>(({ bids }) => ({ ranked: bids, chosen: bids[0] ?? null })),
      createLease: done,
      confirmLease: instant<ConfirmLeaseInput>(({ lease }) => ({
        hostUri: `https://${lease.provider}:8443`,
      })),
      sendManifest: done,
      awaitServices: instant<AwaitServicesInput>(({ lease }) => ({ uris: [`${lease.dseq}.ingress.bench`] })),
      planMigration: instant(() => ({ strategy: "new_deployment" })),
      closeLease: done,
      closeDeployments: done,
    } as never,
  });
  return agentMachine.provide({
    actors: {
      ...waits,
      loadIdentity: instant(() => identity(clock.now())),
      awaitFunding: instant(() => ({ uakt: "9000000", at: clock.now() })),
      alertOutbox: fromCallback(() => undefined),
      lease,
      health: healthMachine.provide({
        actors: { ...waits, checkHealth: instant(() => healthReport(clock.now())) } as never,
      }),
      keys: keyRotationMachine.provide({
        actors: {
          waitUntil: waits.waitUntil,
          prepareNextKey: stepDone,
          activateNextKey: stepDone,
          revokeOldKey: stepDone,
          rollbackRotation: stepDone,
        } as never,
      }),
      treasury: treasuryMachine.provide({
        actors: {
          ...waits,
          readBalances: instant(() => ({
            uakt: "400000000",
            uact: "300000000",
            pendingMintUact: "0",
            croWei: null,
            at: clock.now(),
          })),
          ensureAct: instant(() => ({ at: clock.now(), mintedUact: "0" })),
          topUpEscrow: stepDone,
          fundChild: stepDone,
          swapCroForAkt: instant(() => ({ at: clock.now(), receivedUakt: "4000000", spentUsd: 2 })),
        } as never,
      }),
      reproduction: reproductionMachine.provide({
        actors: {
          ...waits,
          childLease: lease,
          evaluateReproduction: instant(() => ({ at: clock.now(), decision: null, reason: "disabled" })),
          createChildIdentity: instant(() => ({
            childId: "child",
            akash: "akash1child",
            npub: "npub1child",
          })),
          registerChild: stepDone,
          activateChild: stepDone,
          checkHeartbeats: instant(() => ({ at: clock.now(), silent: [] })),
        } as never,
      }),
    } as never,
  });
}
