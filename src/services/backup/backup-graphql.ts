import { z } from "zod";
import { BackupError } from "./backup-errors.js";
import { BACKUP_APP_NAME, tagValue } from "./backup-tags.js";

/** A backup data item the gateway's GraphQL lists for this agent: unverified until downloaded and opened. */
export interface BackupCandidate {
  readonly id: string;
  readonly seq: number;
  readonly owner: string;
  /** The bundle that carries it, when the gateway says (arweave.net: bundledIn; arlocal says nothing). */
  readonly bundleId: string | null;
}

const responseSchema = z.object({
  data: z.object({
    transactions: z.object({
      edges: z.array(
        z.object({
          node: z.object({
            id: z.string(),
            owner: z.object({ address: z.string() }),
            tags: z.array(z.object({ name: z.string(), value: z.string() })),
            // arweave.net answers bundledIn; arlocal fills only the older `parent`.
            bundledIn: z.object({ id: z.string() }).nullish(),
            parent: z.object({ id: z.string() }).nullish(),
          }),
        }),
      ),
    }),
  }),
});

const QUERY = `query($tags: [TagFilter!]) {
  transactions(tags: $tags, first: 100) {
    edges { node { id owner { address } tags { name value } bundledIn { id } parent { id } } }
  }
}`;

/**
 * The agent's backups as the gateway's GraphQL lists them by their tags (App-Name, Agent-Id), newest
 * seq first: the fallback when no relay has the pointer. Anyone can tag an item with another agent's
 * id, so each candidate is only a lead: the caller verifies and decrypts it before trusting it.
 */
export async function findBackupCandidates(gateway: string, agentId: string): Promise<BackupCandidate[]> {
  const json = await graphql(gateway, QUERY, {
    tags: [
      { name: "App-Name", values: [BACKUP_APP_NAME] },
      { name: "Agent-Id", values: [agentId] },
    ],
  });
  const parsed = responseSchema.safeParse(json);
  if (!parsed.success)
    throw new BackupError(`the Arweave gateway's GraphQL at ${gateway} answered in an unknown shape`);
  const candidates: BackupCandidate[] = [];
  for (const { node } of parsed.data.data.transactions.edges) {
    const seq = Number(tagValue(node.tags, "Backup-Seq"));
    const bundleId = node.bundledIn?.id ?? node.parent?.id;
    if (!Number.isSafeInteger(seq) || seq <= 0) continue;
    candidates.push({ id: node.id, seq, owner: node.owner.address, bundleId: bundleId ?? null });
  }
  return candidates.sort((a, b) => b.seq - a.seq);
}

async function graphql(gateway: string, query: string, variables: Record<string, unknown>): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(new URL("graphql", `${gateway.replace(/\/$/, "")}/`), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new BackupError(
      `cannot query the Arweave gateway's GraphQL at ${gateway} (${error instanceof Error ? error.message : String(error)}): check backup.gateway`,
      1,
      { cause: error },
    );
  }
  if (!response.ok)
    throw new BackupError(`the Arweave gateway's GraphQL at ${gateway} answered HTTP ${response.status}`);
  return response.json().catch(() => undefined);
}

const bundlesSchema = z.object({
  data: z.object({
    transactions: z.object({ edges: z.array(z.object({ node: z.object({ id: z.string() }) })) }),
  }),
});

const BUNDLES_QUERY = `query($owners: [String!], $tags: [TagFilter!]) {
  transactions(owners: $owners, tags: $tags, sort: HEIGHT_DESC, first: 100) { edges { node { id } } }
}`;

/**
 * The ANS-104 bundles an address posted, newest first: where a data item is when the gateway does not
 * say which bundle carries it (the agent posts its own bundles, so they are the owner's).
 */
export async function bundlesPostedBy(gateway: string, owner: string): Promise<string[]> {
  const json = await graphql(gateway, BUNDLES_QUERY, {
    owners: [owner],
    tags: [
      { name: "Bundle-Format", values: ["binary"] },
      { name: "Bundle-Version", values: ["2.0.0"] },
    ],
  });
  const parsed = bundlesSchema.safeParse(json);
  if (!parsed.success)
    throw new BackupError(`the Arweave gateway's GraphQL at ${gateway} answered in an unknown shape`);
  return parsed.data.data.transactions.edges.map((edge) => edge.node.id);
}
