import type { AwaitFundingOutput } from "../../src/machines/agent/agent.actors.js";
import { agentActorContracts } from "../../src/machines/agent/agent.actors.js";
import { healthActorContracts } from "../../src/machines/health/health.actors.js";
import type {
  Balances,
  BidSummary,
  DeploymentRef,
  HealthReport,
  LoadedIdentity,
} from "../../src/machines/index.js";
import { keyRotationActorContracts, type StepDone } from "../../src/machines/keys/keys.actors.js";
import {
  type AwaitServicesInput,
  type AwaitServicesOutput,
  type CollectBidsInput,
  type CollectBidsOutput,
  type ConfirmLeaseInput,
  type ConfirmLeaseOutput,
  type EvaluateBidsInput,
  type EvaluateBidsOutput,
  type GenerateSdlInput,
  leaseActorContracts,
  type PlanMigrationOutput,
} from "../../src/machines/lease/lease.actors.js";
import {
  type CheckHeartbeatsOutput,
  type CreateChildIdentityInput,
  type EvaluateReproductionOutput,
  reproductionActorContracts,
} from "../../src/machines/reproduction/reproduction.actors.js";
import type { ChildIdentity } from "../../src/machines/reproduction/reproduction.types.js";
import {
  type EnsureActOutput,
  type SwapInput,
  type SwapOutput,
  treasuryActorContracts,
} from "../../src/machines/treasury/treasury.actors.js";

/** The promise actors each machine invokes by name (waits excluded: see clock-waits.ts). */
export const effectNames = {
  // The long-lived callback actors (outbox, heartbeat) are no effects to script.
  agent: Object.keys(agentActorContracts).filter((name) => name !== "alertOutbox" && name !== "heartbeat"),
  lease: Object.keys(leaseActorContracts),
  health: Object.keys(healthActorContracts),
  keys: Object.keys(keyRotationActorContracts),
  treasury: Object.keys(treasuryActorContracts),
  reproduction: Object.keys(reproductionActorContracts).filter((name) => name !== "watchFamilyHeartbeats"),
} as const;

/** Lease effects whose input carries an idempotency key (they change the chain or the provider). */
export const keyedLeaseEffects = [
  "generateSdl",
  "createDeployment",
  "createLease",
  "sendManifest",
  "startPausedGroups",
  "closeLease",
  "closeDeployments",
  "handOverToNewLease",
  "runCanary",
] as const;

const DAY_MS = 86_400_000;
const providers = ["akash1alpha", "akash1beta", "akash1gamma", "akash1delta", "akash1epsilon"];

/** A number per agent id, so that two agents' deployments never share a dseq. */
function agentNumber(agentId: string): number {
  return 100 + ([...agentId].reduce((sum, char) => sum * 31 + char.charCodeAt(0), 7) % 9_000);
}

function generationOf(key: string): number {
  return Number(key.slice(key.lastIndexOf(":") + 1));
}

export function loadedIdentityAt(now: number): LoadedIdentity {
  const rotated = { index: 0, rotatedAt: now - DAY_MS };
  return {
    identity: {
      agentId: "agent-test",
      akash: "akash1agent",
      evm: "0x0000000000000000000000000000000000000001",
      npub: "npub1agent",
      nostrPubkey: "00",
    },
    keys: { akash: rotated, payment: rotated, identity: rotated, encryption: rotated },
    children: [],
  };
}

export function healthyReport(at: number): HealthReport {
  return {
    at,
    provider: { reachable: true, responsive: true },
    lease: { state: "active", reclaimDeadline: null, deploymentOpen: true },
    services: { ready: 3, total: 3 },
    usage: { memoryPercent: 40, diskPercent: 40, cpuPercent: 40 },
    escrowRunwayHours: 48,
    walletRunwayDays: 30,
  };
}

export function richBalances(at: number): Balances {
  return { uakt: "40000000", uact: "3000000", pendingMintUact: "0", croWei: "10", at };
}

/**
 * The result each effect of any machine gives when everything succeeds, at clock time `now`.
 * Results follow from the input (a new dseq per SDL generation, bids from providers not excluded,
 * the host of the chosen provider), so an effect re-run with another input leads somewhere else.
 */
export function successfulOutput(src: string, input: unknown, now: number): unknown {
  switch (src) {
    case "loadIdentity":
      return loadedIdentityAt(now);
    case "awaitFunding":
      return { uakt: "9000000", at: now } satisfies AwaitFundingOutput;
    case "generateSdl": {
      const { key, agentId, resources } = input as GenerateSdlInput;
      const generation = generationOf(key);
      const deployment: DeploymentRef = {
        dseq: String(agentNumber(agentId) * 1000 + generation),
        manifestVersion: `manifest-${generation}`,
        resources,
        maxPriceUact: "400",
      };
      return deployment;
    }
    case "collectBids": {
      const { dseq, excludedProviders } = input as CollectBidsInput;
      const bids: BidSummary[] = providers
        .filter((provider) => !excludedProviders.includes(provider))
        .slice(0, 2)
        .map((provider, index) => ({ dseq, gseq: 1, oseq: 1, provider, priceUact: String(300 + index) }));
      return { bids } satisfies CollectBidsOutput;
    }
    case "evaluateBids": {
      const { bids } = input as EvaluateBidsInput;
      return { ranked: bids, chosen: bids[0] ?? null } satisfies EvaluateBidsOutput;
    }
    case "confirmLease": {
      const { lease } = input as ConfirmLeaseInput;
      return { hostUri: `https://${lease.provider}.test:8443` } satisfies ConfirmLeaseOutput;
    }
    case "awaitServices": {
      const { lease } = input as AwaitServicesInput;
      return { uris: [`${lease.dseq}.${lease.provider}.ingress.test`] } satisfies AwaitServicesOutput;
    }
    case "planMigration":
      return { strategy: "new_deployment" } satisfies PlanMigrationOutput;
    case "createDeployment":
    case "createLease":
    case "sendManifest":
    case "startPausedGroups":
    case "closeLease":
    case "closeDeployments":
    case "handOverToNewLease":
    case "runCanary":
    case "waitFor":
    case "waitUntil":
      return undefined;
    case "checkHealth":
      return healthyReport(now);
    case "prepareNextKey":
    case "activateNextKey":
    case "revokeOldKey":
    case "rollbackRotation":
    case "depositEscrow":
    case "topUpEscrow":
    case "fundChild":
    case "registerChild":
    case "renewChildGrants":
    case "retireChild":
      return { at: now } satisfies StepDone;
    case "deployChild":
      return {
        at: now,
        dseq: "2002",
        provider: "akash1childprovider",
        uri: "child.ingress:80",
        generation: 1,
      };
    case "resurrectChild":
      return { at: now, outcome: "alive", reason: "its lease is still there" };
    case "readBalances":
      return richBalances(now);
    case "ensureAct":
      return { at: now, mintedUact: "0" } satisfies EnsureActOutput;
    case "swapCroForAkt": {
      const { amountUakt } = input as SwapInput;
      return { at: now, receivedUakt: amountUakt, spentUsd: 2 } satisfies SwapOutput;
    }
    case "createChildIdentity": {
      const { index } = input as CreateChildIdentityInput;
      return {
        childId: `agent-child-${index}`,
        akash: `akash1child${index}`,
        npub: `npub1child${index}`,
        index,
      } satisfies ChildIdentity;
    }
    case "evaluateReproduction":
      return { at: now, decision: null, reason: "no trigger fired" } satisfies EvaluateReproductionOutput;
    case "checkHeartbeats":
      return { at: now, silent: [] } satisfies CheckHeartbeatsOutput;
    default:
      throw new Error(`no successful output for ${src}`);
  }
}
