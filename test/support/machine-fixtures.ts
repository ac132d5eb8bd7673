import type {
  BidSummary,
  DeploymentRef,
  HealthSettings,
  KeyRotationSettings,
  LeaseInput,
  LeaseSettings,
  ReproductionSettings,
  TreasurySettings,
} from "../../src/machines/index.js";
import { EffectError } from "../../src/machines/index.js";

/** Small numbers keep the models finite and the paths short. */
export const leaseSettings: LeaseSettings = {
  minBids: 1,
  bidWindowMs: 10,
  maxAttempts: 2,
  retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 4 },
  initialDepositUact: "500000",
  topUpToHours: 72,
  blockSeconds: 6,
  requestTimeoutMs: 50,
};

export const leaseInput: LeaseInput = {
  agentId: "agent-test",
  resources: { cpuUnits: 2, memoryGi: 4, storageGi: 100 },
  settings: leaseSettings,
};

export const deployment: DeploymentRef = {
  dseq: "1001",
  manifestVersion: "a1b2",
  resources: { cpuUnits: 2, memoryGi: 4, storageGi: 100 },
  maxPriceUact: "348",
};

export const bid: BidSummary = {
  dseq: "1001",
  gseq: 1,
  oseq: 1,
  provider: "akash1provider",
  priceUact: "300",
  score: 80,
};

export const errors = {
  retryable: new EffectError("retryable", "rpc timeout"),
  provider: new EffectError("provider", "provider rejected the manifest"),
  bidGone: new EffectError("bid_gone", "bid closed"),
  fatal: new EffectError("fatal", "manifest version mismatch"),
  insufficientFunds: new EffectError("insufficient_funds", "not enough ACT"),
};

export const healthSettings: HealthSettings = {
  intervalMs: 1000,
  failuresBeforeAlarm: 2,
  thresholds: {
    memoryPercent: 90,
    diskPercent: 85,
    cpuPercent: 95,
    escrowRunwayHours: 24,
    walletRunwayDays: 7,
  },
};

export const keySettings: KeyRotationSettings = {
  intervalDays: { akash: 30, payment: 30, identity: 90, encryption: 90 },
  graceMs: 86_400_000,
  retryAfterMs: 3_600_000,
};

export const treasurySettings: TreasurySettings = {
  dailySpendCapUsd: 6,
  childAllocationCapUsd: 5,
  treasuryMinimumUsd: 2,
  actUsd: 1,
  aktUsd: 0.5,
  pollIntervalMs: 1000,
  minAktReserveUakt: "1000000",
  swapChunkUakt: "4000000",
  retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 4 },
};

export const reproductionSettings: ReproductionSettings = {
  enabled: true,
  isChild: false,
  childrenMayReproduce: false,
  maxChildren: 1,
  evaluateEveryMs: 3_600_000,
  heartbeatCheckMs: 60_000,
  silenceThresholdMs: 600_000,
  requestTimeoutMs: 50,
  maxBirthAttempts: 2,
  heartbeatRelays: [],
};
