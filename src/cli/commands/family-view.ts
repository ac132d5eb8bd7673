import type { ChildAgent } from "../../services/store/index.js";
import type { ChildCroView } from "./family-cro.js";
import type { DepositGrantLeft } from "./family-grants.js";

/** What the chain said about one child's deposit grant: not read, no grant, or what is left of it. */
export type GrantReading =
  | { readonly read: false }
  | { readonly read: true; readonly left: DepositGrantLeft | null };

/** One child in `akash-agent family --json`: the keys, then a few more beside them. */
export interface FamilyChildView {
  readonly agentId: string;
  readonly akash: string | null;
  readonly npub: string | null;
  readonly dseq: string | null;
  readonly provider: string | null;
  readonly state: string;
  /** ISO-8601, or null before the first heartbeat. */
  readonly lastHeartbeat: string | null;
  readonly budget: {
    /** The deposit grant's limit (uact) the registry recorded; null before the child is funded. */
    readonly limitUact: string | null;
    /** limit − what the grant on chain has left; null when either is unknown. */
    readonly spentUact: string | null;
    /** When the deposit grant on chain expires (ISO-8601), else the registry's expiry; null if neither. */
    readonly expiresAt: string | null;
  };
  readonly index: number | null;
  readonly role: string;
  readonly region: string | null;
  readonly generation: number;
  /** The child's Cronos address and CRO (wei); null for a child registered without a Cronos address. */
  readonly cro: ChildCroView | null;
}

function spent(limitUact: string | null, grant: GrantReading): string | null {
  if (limitUact === null || !grant.read || grant.left === null) return null;
  const used = BigInt(limitUact) - grant.left.remainingUact;
  return (used < 0n ? 0n : used).toString();
}

export function familyChildView(
  child: ChildAgent,
  grant: GrantReading,
  cro: ChildCroView | null = null,
): FamilyChildView {
  const limitUact = child.budget?.limitUact ?? null;
  const chainExpiry = grant.read ? (grant.left?.expiresAt ?? null) : null;
  const registryExpiry = child.budget ? new Date(child.budget.expiresAt) : null;
  return {
    agentId: child.id,
    akash: child.addresses.akash ?? null,
    npub: child.addresses.nostr ?? null,
    dseq: child.dseq,
    provider: child.provider,
    state: child.state,
    lastHeartbeat: child.lastHeartbeatAt === null ? null : new Date(child.lastHeartbeatAt).toISOString(),
    budget: {
      limitUact,
      spentUact: spent(limitUact, grant),
      expiresAt: (chainExpiry ?? registryExpiry)?.toISOString() ?? null,
    },
    index: child.index,
    role: child.role,
    region: child.region,
    generation: child.generation,
    cro,
  };
}

const ACT = 1_000_000;
const act = (uact: string | null) =>
  uact === null ? "?" : (Number(uact) / ACT).toLocaleString("en-US", { maximumFractionDigits: 6 });

/** The readable table: one header line, one line per child (or a line saying there are none). */
export function familyTable(children: readonly FamilyChildView[]): string[] {
  if (children.length === 0) return ["no children yet"];
  const rows = children.map((child) => [
    String(child.index ?? "-"),
    child.agentId,
    child.state,
    child.dseq ?? "-",
    child.provider ?? "-",
    child.lastHeartbeat ?? "never",
    `${act(child.budget.spentUact)} / ${act(child.budget.limitUact)} ACT`,
  ]);
  const header = ["#", "AGENT", "STATE", "DSEQ", "PROVIDER", "LAST HEARTBEAT", "SPENT / BUDGET"];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
