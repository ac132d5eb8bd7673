import type { HealthSettings } from "../health/health.types.js";
import type { KeyName, KeyRotationSettings } from "../keys/keys.types.js";
import type { LeaseSettings } from "../lease/lease.context.js";
import type { LeaseResources } from "../lease/lease.types.js";
import type { ReproductionSettings } from "../reproduction/reproduction.context.js";
import type { ChildRecord } from "../reproduction/reproduction.types.js";
import type { AlertSeverity } from "../shared/index.js";
import type { SiblingWatchSettings } from "../sibling-watch/sibling-watch.context.js";
import type { TreasurySettings } from "../treasury/treasury.types.js";
import { upgradeTreasuryTopUp } from "../treasury/treasury-top-up-upgrade.js";

/** Bump when a chart changes so that an old snapshot would not restore into it. */
export const AGENT_MACHINE_VERSION = "7";

/**
 * How a snapshot of an older version becomes one of this version (JSON in, JSON out).
 * 1 → 2: the lease ignores escrow readings older than its last top-up (`escrowToppedUpAt`, read as
 * none when absent), so a version 1 snapshot restores as it is.
 * 2 → 3: the keys machine starts in `starting` (→ `disabled` when no key rotates) and reads
 * `settings.rotating` as every key when absent, so a version 2 snapshot restores as it is.
 * 3 → 4: the lease asks the recovery policy about `failure` instead of keeping its own
 * `recoveryReason`; a lease caught releasing a failed attempt gets that attempt as its failure.
 * 4 → 5: the treasury keeps its survival `tier` (null until first judged).
 * 5 → 6: the root invokes `heartbeat` beside the outbox; a restore starts only the children a snapshot
 * lists, so the upgrade adds it.
 * 6 → 7: an escrow top-up is one treasury effect (`topUpEscrow` in `serving.topping_up`); a top-up
 * caught in `ensuring_act` or `depositing` is moved there (treasury-top-up-upgrade.ts).
 */
export const AGENT_SNAPSHOT_UPGRADES: Readonly<Record<string, <T>(snapshot: T) => T>> = {
  "1": (snapshot) => snapshot,
  "2": (snapshot) => snapshot,
  "3": (snapshot) => upgradeLeaseRecovery(snapshot),
  "4": (snapshot) => upgradeTreasuryTier(snapshot),
  "5": (snapshot) => withHeartbeatChild(snapshot),
  "6": (snapshot) => upgradeTreasuryTopUp(snapshot),
};

/** Every treasury context inside a version 4 snapshot, with `tier: null` added. */
function upgradeTreasuryTier<T>(node: T): T {
  if (Array.isArray(node)) return node.map((item) => upgradeTreasuryTier(item)) as T;
  if (node === null || typeof node !== "object") return node;
  const entries = Object.entries(node as Record<string, unknown>).map(([key, value]) => {
    if (
      key === "context" &&
      value !== null &&
      typeof value === "object" &&
      "swapBlocked" in value &&
      !("tier" in value)
    ) {
      return [key, { ...(value as Record<string, unknown>), tier: null }];
    }
    return [key, upgradeTreasuryTier(value)];
  });
  return Object.fromEntries(entries) as T;
}

/** A version 5 root snapshot with the `heartbeat` child a version 6 root invokes. */
function withHeartbeatChild<T>(snapshot: T): T {
  const root = snapshot as { children?: Record<string, unknown> };
  if (root === null || typeof root !== "object" || root.children?.heartbeat !== undefined) return snapshot;
  return {
    ...root,
    children: {
      ...root.children,
      heartbeat: {
        snapshot: { status: "active" },
        src: "heartbeat",
        systemId: "heartbeat",
        syncSnapshot: false,
      },
    },
  } as T;
}

/** Every lease context inside a version 3 snapshot, with its `recoveryReason` turned into a `failure`. */
function upgradeLeaseRecovery<T>(node: T): T {
  if (Array.isArray(node)) return node.map((item) => upgradeLeaseRecovery(item)) as T;
  if (node === null || typeof node !== "object") return node;
  const entries = Object.entries(node as Record<string, unknown>).map(([key, value]) => {
    if (key === "context" && value !== null && typeof value === "object" && "recoveryReason" in value) {
      return [key, leaseContextV4(value as Record<string, unknown>)];
    }
    return [key, upgradeLeaseRecovery(value)];
  });
  return Object.fromEntries(entries) as T;
}

function leaseContextV4(context: Record<string, unknown>): Record<string, unknown> {
  const { recoveryReason, ...rest } = context;
  const failedLease = rest.failedLease as { provider?: string } | null | undefined;
  const failure =
    recoveryReason === "attempt_failed"
      ? {
          type: "deployment_failed",
          provider: failedLease?.provider ?? null,
          attempt: rest.attempt,
          failedProviders: rest.excludedProviders,
        }
      : recoveryReason === "services_failed"
        ? {
            type: "services_failed",
            provider: (rest.lease as { provider?: string } | null)?.provider,
            restartsMade: 1,
          }
        : null;
  return { ...rest, failure, restartsMade: 0, emergencySwapsTried: 0 };
}

/** The agent's public identity (never a secret). */
export interface PublicIdentity {
  agentId: string;
  akash: string;
  evm: string;
  npub: string;
  nostrPubkey: string;
}

export interface AgentSettings {
  resources: LeaseResources;
  lease: LeaseSettings;
  health: HealthSettings;
  keys: KeyRotationSettings;
  treasury: TreasurySettings;
  reproduction: ReproductionSettings;
  /** Set on a child (`reproduction.parent`): it watches its siblings for when the parent is gone. */
  siblingWatch?: SiblingWatchSettings | null;
  /** AKT the agent's account must hold before it starts deploying itself. */
  minimumFundingUakt: string;
  /** How long a shutdown waits for the lease to close before giving up. */
  shutdownTimeoutMs: number;
}

export interface LoadedIdentity {
  identity: PublicIdentity;
  keys: Record<KeyName, { index: number; rotatedAt: number }>;
  children: ChildRecord[];
  /** The derivation index the next child takes (every child ever registered keeps its own). */
  nextChildIndex?: number;
}

export interface AlertToDeliver {
  id: string;
  severity: AlertSeverity;
  title: string;
  message: string;
  source: string;
  /** See AlertNotice: the condition this alert is about (default: its title). */
  incident?: string;
  resolves?: boolean;
}
