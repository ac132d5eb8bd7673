import { z } from "zod";
import { BackupError } from "./backup-errors.js";
import { BACKUP_APP_NAME, tagValue } from "./backup-tags.js";

/** A backup data item the gateway's GraphQL lists for this agent: unverified until downloaded and opened. */
export interface BackupCandidate {
  readonly id: string;
  readonly seq: number;
  readonly owner: string;
  readonly bundleId: string;
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
  let response: Response;
  try {
    response = await fetch(new URL("graphql", `${gateway.replace(/\/$/, "")}/`), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: QUERY,
        variables: {
          tags: [
            { name: "App-Name", values: [BACKUP_APP_NAME] },
            { name: "Agent-Id", values: [agentId] },
          ],
        },
      }),
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
  const parsed = responseSchema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success)
    throw new BackupError(`the Arweave gateway's GraphQL at ${gateway} answered in an unknown shape`);
  const candidates: BackupCandidate[] = [];
  for (const { node } of parsed.data.data.transactions.edges) {
    const seq = Number(tagValue(node.tags, "Backup-Seq"));
    const bundleId = node.bundledIn?.id ?? node.parent?.id;
    if (!Number.isSafeInteger(seq) || seq <= 0 || !bundleId) continue;
    candidates.push({ id: node.id, seq, owner: node.owner.address, bundleId });
  }
  return candidates.sort((a, b) => b.seq - a.seq);
}
