import { type ActorSystem, type AnyActorRef, fromPromise, type SnapshotFrom } from "xstate";
import type { ActorSettings } from "../actors/agent-services.js";
import { type BidCandidate, EffectError, scoreBids } from "../domain/index.js";
import type { CheckHealthInput } from "../machines/health/health.actors.js";
import type { HealthMachine, HealthReport, HealthSettings } from "../machines/index.js";
import type {
  AwaitServicesInput,
  AwaitServicesOutput,
  CloseDeploymentsInput,
  CloseLeaseInput,
  CollectBidsInput,
  CollectBidsOutput,
  ConfirmLeaseInput,
  ConfirmLeaseOutput,
  CreateDeploymentInput,
  CreateLeaseInput,
  EvaluateBidsInput,
  EvaluateBidsOutput,
  GenerateSdlInput,
  GenerateSdlOutput,
  HandOverToNewLeaseInput,
  PlanMigrationInput,
  PlanMigrationOutput,
  SendManifestInput,
  StartPausedGroupsInput,
} from "../machines/lease/lease.actors.js";
import type { BidSummary } from "../machines/lease/lease.types.js";
import type { WaitForInput, WaitUntilInput } from "../machines/shared/index.js";
import { bidCollectionEnd, onChainAt } from "./bid-collection-end.js";
import { DAY_MS, isReachable, uptimeOver } from "./market-model.js";
import type { MarketWorld } from "./market-world.js";
import type { SimulationClock } from "./simulation-clock.js";

/** How the agent picks among the bids: its scoring policy, or the cheapest-bid baseline. */
export type BidChoice = "scored" | "cheapest";

export interface SimulatedEffectSettings {
  actor: ActorSettings;
  /** The max price per block the agent's SDL puts on its deployments (from its budget). */
  maxPriceUact: string;
  bidChoice: BidChoice;
  health: HealthSettings;
  /**
   * Skip health checks that cannot find anything: while the monitor's record is clean, a check
   * passes now and nothing is scheduled to change before the next event on the clock (or the escrow
   * running low), every check until then passes too, so the monitor's wait ends at the first check
   * after it. Exact for every figure the simulator reports (a test compares runs with and without).
   */
  skipQuietChecks: boolean;
}

/** Auditor whose signatures the simulated agent trusts (as a mainnet agent trusts Akash's auditor). */
export const SIM_AUDITOR = "akash1simauditor";
const REGION = "location-region";

/**
 * The lease and health machines' effects against the simulated market: each resolves on the
 * simulation clock after the time the real effect takes (a block for a transaction, the provider's
 * start time for services, a client timeout for a silent provider). The machines, guards, scoring
 * and recovery policy that use them are the real ones.
 */
export function createSimulatedEffects(
  world: MarketWorld,
  clock: SimulationClock,
  settings: SimulatedEffectSettings,
) {
  const params = world.market.params;
  const after = <T>(ms: number, settle: () => T, signal: AbortSignal) =>
    clock.when(clock.now() + ms, settle, signal);

  /** The time of the first health check that could find something, or null to check when due. */
  const firstTellingCheck = (system: ActorSystem<{ actors: Record<string, AnyActorRef> }>): number | null => {
    if (!settings.skipQuietChecks) return null;
    const health = system.get("health")?.getSnapshot() as SnapshotFrom<HealthMachine> | undefined;
    const context = health?.context;
    if (!context?.target || (context.failedChecks ?? 0) > 0) return null;
    const { track } = context;
    const clean =
      track.unreachable === 0 &&
      track.unresponsive === 0 &&
      track.servicesDown === 0 &&
      (track.ingressDown ?? 0) === 0 &&
      Object.values(track.overThreshold).every((count) => count === 0) &&
      Object.values(track.reported).every((reported) => reported !== true);
    if (!clean) return null;
    const passingUntil = world.passingUntil(context.target, settings.health.thresholds.escrowRunwayHours);
    if (passingUntil === null) return null;
    const now = clock.now();
    const quietUntil = Math.min(clock.nextAt() ?? world.market.endMs, passingUntil, world.market.endMs);
    const checks = Math.ceil((quietUntil - now) / context.settings.intervalMs);
    return checks >= 1 ? now + checks * context.settings.intervalMs : null;
  };

  const candidateOf = (bid: BidSummary): BidCandidate => {
    const provider = world.provider(bid.provider);
    const now = clock.now();
    const record = world.providerRecord(bid.provider);
    return {
      provider: bid.provider,
      price: bid.priceUact,
      denom: "uact",
      attributes: [
        {
          key: REGION,
          value: provider.region,
          ...(provider.audited ? { auditedBy: [SIM_AUDITOR] } : {}),
        },
      ],
      // The Console API's view, computed from the provider's simulated history.
      uptime: {
        uptime1d: uptimeOver(provider, now, DAY_MS),
        uptime7d: uptimeOver(provider, now, 7 * DAY_MS),
        uptime30d: uptimeOver(provider, now, 30 * DAY_MS),
        isOnline: isReachable(provider, now),
      },
      history: record ? { ...record, measuredUptime: null } : null,
    };
  };

  const scored = (input: EvaluateBidsInput): EvaluateBidsOutput => {
    const result = scoreBids({
      bids: input.bids.map(candidateOf),
      maxPricePerBlock: input.maxPriceUact,
      auditors: settings.actor.trustedAuditors,
      family: [],
      excludedProviders: input.excludedProviders,
      weights: settings.actor.scoringWeights,
    });
    const byProvider = new Map(input.bids.map((bid) => [bid.provider, bid]));
    const ranked = result.ranked.flatMap((entry) => {
      const bid = byProvider.get(entry.provider);
      return bid ? [{ ...bid, score: Number(entry.total.toFixed(2)) }] : [];
    });
    return { ranked, chosen: ranked[0] ?? null };
  };

  const cheapest = (input: EvaluateBidsInput): EvaluateBidsOutput => {
    const max = Number(input.maxPriceUact);
    const ranked = input.bids
      .filter((bid) => !input.excludedProviders.includes(bid.provider))
      .filter((bid) => Number(bid.priceUact) > 0 && Number(bid.priceUact) <= max)
      .sort((a, b) => Number(a.priceUact) - Number(b.priceUact) || (a.provider < b.provider ? -1 : 1));
    return { ranked, chosen: ranked[0] ?? null };
  };

  return {
    lease: {
      waitFor: fromPromise<void, WaitForInput>(({ input, signal }) => after(input.ms, () => {}, signal)),
      waitUntil: fromPromise<void, WaitUntilInput>(({ input, signal }) =>
        clock.when(input.until, () => {}, signal),
      ),
      generateSdl: fromPromise<GenerateSdlOutput, GenerateSdlInput>(({ input, signal }) =>
        after(
          0,
          () => ({
            dseq: world.allocateDseq(),
            manifestVersion: `sim-${input.resources.cpuUnits}-${input.resources.memoryGi}-${input.resources.storageGi}`,
            resources: input.resources,
            maxPriceUact: settings.maxPriceUact,
          }),
          signal,
        ),
      ),
      createDeployment: fromPromise<void, CreateDeploymentInput>(({ input, signal }) =>
        after(
          params.txMs,
          () =>
            world.createDeployment(
              input.deployment.dseq,
              Number(input.depositUact),
              Number(input.deployment.maxPriceUact),
              input.keepDseqs,
            ),
          signal,
        ),
      ),
      // The simulated market never pauses a group (a lost lease's order reopens): nothing to start.
      startPausedGroups: fromPromise<void, StartPausedGroupsInput>(async () => undefined),
      collectBids: fromPromise<CollectBidsOutput, CollectBidsInput>(({ input, signal }) => {
        const round = world.bidRound(input.dseq);
        const allowed = round.bids.filter((bid) => !input.excludedProviders.includes(bid.provider));
        const windowEnd = clock.now() + input.windowMs;
        const blockMs = params.blockSeconds * 1000;
        const collected = bidCollectionEnd(allowed, input.minBids, windowEnd, {
          blockMs,
          quietBlocks: settings.actor.bidQuietBlocks ?? 0,
          now: clock.now(),
        });
        const counted = collected.at;
        // As the real actor: `bidding.settleBlocks` blocks after the order, every bid on chain by then
        // is evaluated, if there is any (a bid is on chain from the block after it is sent).
        const settleBlocks = settings.actor.bidSettleBlocks ?? 0;
        const settleAt = (Math.floor(round.openedAt / blockMs) + settleBlocks) * blockMs;
        const onChainBy = (at: number) => allowed.some((bid) => onChainAt(bid.at, blockMs) <= at);
        const settled = settleBlocks > 0 && settleAt < counted && onChainBy(settleAt);
        const until = settled ? Math.max(settleAt, clock.now()) : counted;
        const byBlock = settled || collected.byBlock;
        return clock.when(
          until,
          () => ({
            bids: allowed
              .filter((bid) => (byBlock ? onChainAt(bid.at, blockMs) : bid.at) <= until)
              .map((bid) => ({
                dseq: input.dseq,
                gseq: 1,
                oseq: 1,
                provider: bid.provider,
                priceUact: bid.priceUact,
                region: world.provider(bid.provider).region,
              })),
          }),
          signal,
        );
      }),
      evaluateBids: fromPromise<EvaluateBidsOutput, EvaluateBidsInput>(({ input, signal }) =>
        after(0, () => (settings.bidChoice === "cheapest" ? cheapest(input) : scored(input)), signal),
      ),
      createLease: fromPromise<void, CreateLeaseInput>(({ input, signal }) =>
        after(params.txMs, () => world.createLease(input.bid, input.bid.priceUact), signal),
      ),
      confirmLease: fromPromise<ConfirmLeaseOutput, ConfirmLeaseInput>(({ input, signal }) =>
        after(params.txMs, () => world.confirmLease(input.lease), signal),
      ),
      sendManifest: fromPromise<void, SendManifestInput>(({ input, signal }) => {
        const reachable = isReachable(world.provider(input.lease.provider), clock.now());
        return after(
          reachable ? 2_000 : params.unreachableTimeoutMs,
          () => world.sendManifest(input.lease),
          signal,
        );
      }),
      awaitServices: fromPromise<AwaitServicesOutput, AwaitServicesInput>(({ input, signal }) => {
        const deadline = clock.now() + settings.actor.servicesReadyTimeoutMs;
        const readyAt = world.servicesReadyAt(input.lease);
        const ready = (): AwaitServicesOutput => {
          world.noteServing(input.lease);
          return { uris: [`${input.lease.provider}.ingress.sim`] };
        };
        const atDeadline = () => {
          if (world.servicesUp(input.lease)) return ready();
          throw new EffectError("provider", "the services did not become ready in time");
        };
        if (readyAt === null || readyAt > deadline) return clock.when(deadline, atDeadline, signal);
        // Polled at their start time; if they are not up then, the poller keeps trying until its deadline.
        return clock
          .when(readyAt, () => world.servicesUp(input.lease), signal)
          .then((up) => (up ? ready() : clock.when(deadline, atDeadline, signal)));
      }),
      planMigration: fromPromise<PlanMigrationOutput, PlanMigrationInput>(({ input, signal }) => {
        const silent = !isReachable(world.provider(input.lease.provider), clock.now());
        return after(
          silent ? settings.actor.slowProviderMs * 3 : 1_000,
          () => {
            const gone = world.leaseGoneOrSilent(input.lease);
            if (!input.reason.includes("reclaim")) world.blameProvider(input.lease);
            // The simulated agent is managed from outside its lease (a bootstrap or guardian), so a
            // gone provider is left by rebidding, as the real planner does when not self-hosting.
            return { strategy: gone ? ("rebid" as const) : ("new_deployment" as const) };
          },
          signal,
        );
      }),
      closeLease: fromPromise<void, CloseLeaseInput>(({ input, signal }) =>
        after(
          params.txMs,
          () => {
            if (input.failedAttempt !== undefined) world.blameProvider(input.lease);
            world.closeLease(input.lease);
          },
          signal,
        ),
      ),
      closeDeployments: fromPromise<void, CloseDeploymentsInput>(({ input, signal }) =>
        after(
          params.txMs,
          () => {
            for (const dseq of input.dseqs) world.closeDeployment(dseq);
          },
          signal,
        ),
      ),
      handOverToNewLease: fromPromise<void, HandOverToNewLeaseInput>(({ signal }) =>
        after(0, () => {}, signal),
      ),
    },
    health: {
      waitFor: fromPromise<void, WaitForInput>(({ input, signal }) => after(input.ms, () => {}, signal)),
      waitUntil: fromPromise<void, WaitUntilInput>(async ({ input, signal, system }) => {
        const skipTo = await clock.when(input.until, () => firstTellingCheck(system), signal);
        if (skipTo !== null && !signal.aborted) await clock.when(skipTo, () => {}, signal);
      }),
      checkHealth: fromPromise<HealthReport, CheckHealthInput>(({ input, signal }) =>
        after(0, () => world.healthReport(input.target), signal),
      ),
    },
  };
}
