import type { DeploymentInfo } from "../akash/akash-types.js";
import type { AgentStore } from "../store/agent-store.js";
import { BackupRefusedError } from "./backup-errors.js";

/** The chain reads the check needs (the agent's `AkashChain` has them). */
export interface OwnerDeployments {
  /** The agent's `akash1…` address. */
  readonly owner: string;
  activeDeployments(): Promise<DeploymentInfo[]>;
}

export interface ChainCheck {
  /** The lease's deployment as the backup knows it. */
  readonly dseq: string | null;
  /** Whether that deployment is still open on chain (run resumes it) or not (run deploys anew). */
  readonly dseqActive: boolean;
  readonly notes: string[];
}

interface LeaseContextLike {
  lease?: { dseq?: string } | null;
  deployment?: { dseq?: string } | null;
}

/** The restored agent's own deployment, from its latest persisted snapshot. */
function leaseDseqOf(store: AgentStore): string | null {
  const latest = store.snapshots.latest("agent");
  if (!latest) return null;
  const root = JSON.parse(latest.snapshotJson) as {
    children?: { lease?: { snapshot?: { context?: LeaseContextLike } } };
    context?: { terminatedDseq?: string | null };
  };
  const context = root.children?.lease?.snapshot?.context;
  return context?.lease?.dseq ?? context?.deployment?.dseq ?? root.context?.terminatedDseq ?? null;
}

/** Every dseq the store's intents name: deployments the agent created or meant to create. */
function dseqsOfIntents(store: AgentStore): Set<string> {
  const found = new Set<string>();
  for (const { payload } of store.db
    .prepare<[], { payload: string }>("SELECT payload_json AS payload FROM intents")
    .all()) {
    for (const match of payload.matchAll(/"dseq"\s*:\s*"?(\d+)/g)) found.add(match[1]!);
  }
  return found;
}

/**
 * A restored agent must never act on an older state than one it already acted on. The chain is the
 * witness: every deployment the owner has open must be one the backup knows (its lease, or one its
 * intents name). An open deployment it does not know, newer than its own lease, was made after this
 * backup was taken, by a later state of the agent: the backup is refused. Its own deployment being
 * closed is not refused: `run` sees that on chain and deploys anew.
 */
export async function checkAgainstChain(
  store: AgentStore,
  chain: OwnerDeployments,
  seq: number,
): Promise<ChainCheck> {
  const dseq = leaseDseqOf(store);
  const known = dseqsOfIntents(store);
  if (dseq) known.add(dseq);
  const active = await chain.activeDeployments();
  const newest = dseq ? BigInt(dseq) : 0n;
  const unknown = active.filter(
    (deployment) => !known.has(deployment.dseq) && BigInt(deployment.dseq) > newest,
  );
  if (unknown.length > 0) {
    const names = unknown.map((deployment) => deployment.dseq).join(", ");
    throw new BackupRefusedError(
      `backup seq ${seq} is older than what the agent already did: the chain shows deployment ${names} of ${chain.owner}, made after it (the backup knows ${dseq ?? "no deployment"}); restore a newer backup (run restore again once the latest pointer is published), or close ${names} first if it is an orphan`,
    );
  }
  const dseqActive = dseq !== null && active.some((deployment) => deployment.dseq === dseq);
  const notes: string[] = [];
  if (dseq && !dseqActive)
    notes.push(`deployment ${dseq} of this backup is closed on chain: run will deploy anew`);
  return { dseq, dseqActive, notes };
}
