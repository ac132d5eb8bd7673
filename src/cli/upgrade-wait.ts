import { z } from "zod";

/** How `upgrade --wait` reads where an upgrade stands, following the agent from instance to instance. */
const statusSchema = z.object({
  upgrade: z
    .object({
      from: z.string(),
      to: z.string(),
      state: z.string(),
      reason: z.string().nullable(),
    })
    .optional(),
  leadership: z
    .object({
      generation: z.number(),
      state: z.string(),
      leader: z.object({ uri: z.string() }).optional(),
    })
    .optional(),
});

export interface UpgradeOutcome {
  readonly from: string;
  readonly to: string;
  readonly state: string;
  readonly reason: string | null;
}

export const ENDED_UPGRADE_STATES = ["upgraded", "rolled_back"] as const;

const baseUrl = (uri: string) => (/^https?:\/\//.test(uri) ? uri : `http://${uri}`);

async function readStatus(url: string): Promise<z.infer<typeof statusSchema> | null> {
  try {
    const response = await fetch(new URL("/api/status", url), { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) return null;
    const parsed = statusSchema.safeParse(await response.json());
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Where the upgrade to `image` stands, asking every instance in `urls`: one that leads answers for
 * itself; one that handed over or stands by names the leader, which is added to `urls` (the agent moves
 * from instance to instance, and the first one closes in the end). Null when no instance answers about
 * this upgrade (a restart under way, say).
 */
export async function upgradeStatus(urls: Set<string>, image: string): Promise<UpgradeOutcome | null> {
  let seen: UpgradeOutcome | null = null;
  for (const url of [...urls]) {
    const status = await readStatus(url);
    const leader = status?.leadership?.leader?.uri;
    if (status?.leadership?.state !== "leading" && leader) urls.add(baseUrl(leader));
    const upgrade = status?.upgrade;
    if (upgrade?.to !== image) continue;
    // A leader's word wins over an instance that stopped acting at some step of the move.
    if (status?.leadership?.state === "leading" || status?.leadership === undefined) return upgrade;
    seen ??= upgrade;
  }
  return seen;
}

/**
 * Polls until the upgrade ends (`upgraded` or `rolled_back`), telling `onProgress` each new state;
 * throws once `timeoutMs` passed without an end.
 */
export async function waitForUpgrade(o: {
  url: string;
  image: string;
  timeoutMs: number;
  intervalMs?: number;
  onProgress: (outcome: UpgradeOutcome) => void;
}): Promise<UpgradeOutcome> {
  const deadline = Date.now() + o.timeoutMs;
  const urls = new Set([o.url]);
  let last = "";
  for (;;) {
    const outcome = await upgradeStatus(urls, o.image);
    if (outcome && outcome.state !== last) {
      last = outcome.state;
      o.onProgress(outcome);
    }
    if (outcome && (ENDED_UPGRADE_STATES as readonly string[]).includes(outcome.state)) return outcome;
    if (Date.now() > deadline) {
      throw new Error(
        `the upgrade to ${o.image} did not end within ${Math.round(o.timeoutMs / 1000)} s (last seen: ${last || "no answer"})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, o.intervalMs ?? 1_000));
  }
}
