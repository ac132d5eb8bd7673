import type { ActorSettings } from "../actors/agent-services.js";
import type { AgentConfig } from "../config/index.js";
import { resourcesForTraffic, uaktToMintUact } from "../domain/index.js";
import { UsageError } from "../errors.js";
import type { AgentSettings, LeaseSettings } from "../machines/index.js";

const HOUR_MS = 3_600_000;
const MICRO = 1_000_000;

export interface ChainTiming {
  /** Seconds per block on the network the agent runs on (6 on mainnet; the devnet's own). */
  blockSeconds: number;
}

/** uact the first escrow deposit holds: the budget's spend over `escrow.topUpToHours` (at least the chain's 0.5 ACT). */
export function initialDepositUact(config: AgentConfig): bigint {
  const usd = (config.budget.targetUsdPerDay / 24) * config.escrow.topUpToHours;
  const uact = BigInt(Math.ceil((usd / config.budget.actUsd) * MICRO));
  return uact > 500_000n ? uact : 500_000n;
}

/**
 * Deployment deposits count against the daily spend cap, and a make-before-break move holds two
 * until the old deployment closes: a cap under two deposits would refuse every move (and a
 * redeploy on the day of the first one).
 */
function requireCapForAMove(config: AgentConfig, depositUact: bigint): void {
  const twoDepositsUsd = (2 * Number(depositUact) * config.budget.actUsd) / MICRO;
  if (config.budget.dailySpendCapUsd < twoDepositsUsd) {
    throw new UsageError(
      `budget.dailySpendCapUsd = ${config.budget.dailySpendCapUsd} is below two deployment deposits ($${twoDepositsUsd.toFixed(2)}; a move holds two): raise it to at least ${Math.ceil(twoDepositsUsd)} or lower escrow.topUpToHours or budget.targetUsdPerDay`,
    );
  }
}

/** The tier thresholds, refused when critical is not below frugal. */
function survivalTierThresholds(config: AgentConfig): { frugalBelowDays: number; criticalBelowDays: number } {
  const { frugalBelowDays, criticalBelowDays } = config.treasury;
  if (criticalBelowDays >= frugalBelowDays) {
    throw new UsageError(
      `treasury.criticalBelowDays = ${criticalBelowDays} must be below treasury.frugalBelowDays = ${frugalBelowDays}: lower the first or raise the second`,
    );
  }
  return { frugalBelowDays, criticalBelowDays };
}

/**
 * ACT kept minted ahead of need: \`treasury.actFloatUsd\` when set, else one deployment deposit plus
 * one top-up (what a top-up adds: from \`escrow.topUpBelowHours\` back to \`escrow.topUpToHours\`).
 */
export function actFloatUact(config: AgentConfig, depositUact: bigint): bigint {
  if (config.treasury.actFloatUsd > 0) {
    return BigInt(Math.ceil((config.treasury.actFloatUsd / config.budget.actUsd) * MICRO));
  }
  const topUpHours = Math.max(0, config.escrow.topUpToHours - config.escrow.topUpBelowHours);
  const topUpUsd = (config.budget.targetUsdPerDay / 24) * topUpHours;
  return depositUact + BigInt(Math.ceil((topUpUsd / config.budget.actUsd) * MICRO));
}

/** Births tried for one child (each a bootstrap that itself tries `bidding.maxAttempts` providers). */
const BIRTH_ATTEMPTS = 3;

/** The machines' settings (their inputs), from the agent's config. */
export function agentSettingsFromConfig(config: AgentConfig, timing: ChainTiming): AgentSettings {
  const retry = {
    maxRetries: config.intervals.stepRetries,
    baseDelayMs: config.intervals.baseBackoffMs,
    maxDelayMs: config.intervals.maxBackoffMs,
  };
  const deposit = initialDepositUact(config);
  requireCapForAMove(config, deposit);
  const lease: LeaseSettings = {
    minBids: config.bidding.minBids,
    bidWindowMs: config.bidding.windowMs,
    maxAttempts: config.bidding.maxAttempts,
    retry,
    initialDepositUact: deposit.toString(),
    topUpToHours: config.escrow.topUpToHours,
    blockSeconds: timing.blockSeconds,
    requestTimeoutMs: config.timeouts.treasuryRequestMs,
  };
  const feeReserveUakt = BigInt(Math.ceil(config.treasury.feeReserveAkt * MICRO));
  // Enough AKT for the treasury's mint of the first deposit's ACT (at the configured AKT price, the
  // treasury's fallback when the oracle cannot be read) and the fee reserve.
  const mintUakt = uaktToMintUact(deposit, { actUsd: config.budget.actUsd, aktUsd: config.budget.aktUsd });
  return {
    resources: resourcesForTraffic({
      eventsPerSecond: config.traffic.eventsPerSecond,
      activeConnections: config.traffic.connections,
      storageUsedGi: config.traffic.storageUsedGib,
    }),
    lease,
    health: {
      intervalMs: config.intervals.healthCheckMs,
      failuresBeforeAlarm: config.thresholds.degradedAfterFailures,
      thresholds: {
        memoryPercent: config.thresholds.memoryPercent,
        diskPercent: config.thresholds.diskPercent,
        cpuPercent: config.thresholds.cpuPercent,
        escrowRunwayHours: config.escrow.topUpBelowHours,
        walletRunwayDays: config.thresholds.walletRunwayDays,
      },
    },
    keys: {
      intervalDays: {
        akash: config.keyRotation.akashDays,
        payment: config.keyRotation.paymentDays,
        identity: config.keyRotation.identityDays,
        encryption: config.keyRotation.encryptionDays,
      },
      graceMs: config.keyRotation.graceHours * HOUR_MS,
      retryAfterMs: HOUR_MS,
    },
    treasury: {
      dailySpendCapUsd: config.budget.dailySpendCapUsd,
      childAllocationCapUsd: config.budget.childAllocationCapUsd,
      treasuryMinimumUsd: config.budget.treasuryMinimumUsd,
      actUsd: config.budget.actUsd,
      aktUsd: config.budget.aktUsd,
      pollIntervalMs: config.intervals.balancePollMs,
      minAktReserveUakt: feeReserveUakt.toString(),
      swapChunkUakt: BigInt(Math.ceil(config.treasury.swapChunkAkt * MICRO)).toString(),
      retry,
      croUsd: config.budget.croUsd,
      tiers: survivalTierThresholds(config),
      actFloatUact: actFloatUact(config, deposit).toString(),
      ...(config.reproduction.childCroWei !== "0" ? { childCroWei: config.reproduction.childCroWei } : {}),
    },
    reproduction: {
      enabled: config.reproduction.enabled,
      isChild: config.reproduction.parent !== undefined,
      childrenMayReproduce: config.reproduction.childrenMayReproduce,
      maxChildren: config.reproduction.maxChildren,
      evaluateEveryMs: config.intervals.reproductionCheckMs,
      heartbeatCheckMs: config.reproduction.heartbeatCheckMs,
      silenceThresholdMs: config.reproduction.silenceThresholdMs,
      requestTimeoutMs: config.timeouts.treasuryRequestMs,
      maxBirthAttempts: BIRTH_ATTEMPTS,
      // The launch sets the relays it announces on (nostr.relays or the network's own).
      heartbeatRelays: [...config.nostr.relays],
    },
    siblingWatch: config.reproduction.parent
      ? {
          silenceThresholdMs: config.reproduction.silenceThresholdMs,
          heartbeatCheckMs: config.reproduction.heartbeatCheckMs,
          // The launch sets the relays it announces on, as for the heartbeats.
          relays: [...config.nostr.relays],
          parentNpub: config.reproduction.parent.npub,
        }
      : null,
    // A child mints nothing (its deposits draw on its parent's grant): it waits only for fee money.
    minimumFundingUakt: (config.reproduction.parent ? feeReserveUakt : mintUakt + feeReserveUakt).toString(),
    shutdownTimeoutMs: config.timeouts.shutdownMs,
  };
}

/** What the actors need to know, from the agent's config. */
export function actorSettingsFromConfig(
  config: AgentConfig,
  timing: ChainTiming & { pollIntervalMs?: number; trustedAuditors?: readonly string[] },
): ActorSettings {
  return {
    pollIntervalMs: timing.pollIntervalMs ?? config.intervals.chainPollMs,
    leaseConfirmTimeoutMs: config.timeouts.leaseConfirmMs,
    servicesReadyTimeoutMs: config.timeouts.servicesReadyMs,
    mintSettleTimeoutMs: config.timeouts.mintSettleMs,
    slowProviderMs: config.timeouts.slowProviderMs,
    blockSeconds: timing.blockSeconds,
    actUsd: config.budget.actUsd,
    aktUsdFallback: config.budget.aktUsd,
    scoringWeights: {
      price: config.scoring.priceWeight,
      uptime: config.scoring.uptimeWeight,
      reputation: config.scoring.reputationWeight,
      diversity: config.scoring.diversityWeight,
    },
    trustedAuditors: [...new Set([...config.providers.trustedAuditors, ...(timing.trustedAuditors ?? [])])],
    avoidProviders: config.bidding.avoidProviders,
    bidSettleBlocks: config.bidding.settleBlocks,
    bidQuietBlocks: config.bidding.quietBlocks,
    childFunding: {
      feeBudgetUakt: config.reproduction.childFeeBudgetUakt,
      grantDays: config.reproduction.grantDays,
      croWei: config.reproduction.childCroWei,
    },
    upgradeChecks: { intervalMs: config.upgrade.checkIntervalMs, failedChecks: config.upgrade.failedChecks },
  };
}

export function feeReserveUakt(config: AgentConfig): string {
  return BigInt(Math.ceil(config.treasury.feeReserveAkt * MICRO)).toString();
}
