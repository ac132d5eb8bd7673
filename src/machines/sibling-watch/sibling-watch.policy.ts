import type { SiblingWatchContext } from "./sibling-watch.context.js";
import type { SiblingMember, SiblingResurrection } from "./sibling-watch.types.js";

/**
 * Who acts for a silent child when the parent is gone (DESIGN §13, life): pure functions of the
 * machine's context and the time of the check.
 */

/** Nobody counts as silent from before this process watched or before the roster that names them. */
function baseline(context: SiblingWatchContext, at: number): number {
  return Math.max(context.watchingSince ?? at, context.roster?.publishedAt ?? 0);
}

/** A member's last sign of life: its newest heartbeat, or when this watch (or the member) began. */
function lastSeen(context: SiblingWatchContext, agentId: string, at: number, bornAt: number | null = null) {
  return Math.max(context.lastSeen[agentId] ?? 0, baseline(context, at), bornAt ?? 0);
}

export function isSilent(
  context: SiblingWatchContext,
  agentId: string,
  at: number,
  bornAt: number | null = null,
): boolean {
  return at - lastSeen(context, agentId, at, bornAt) > context.settings.silenceThresholdMs;
}

export function parentSilent(context: SiblingWatchContext, at: number): boolean {
  return context.roster !== null && isSilent(context, context.roster.parent.agentId, at);
}

/** The living member with the lowest index (this agent is alive: it is the one checking). */
export function eldestLive(context: SiblingWatchContext, at: number): SiblingMember | null {
  const members = [...(context.roster?.members ?? [])].sort((a, b) => a.index - b.index);
  return (
    members.find(
      (member) => member.childId === context.agentId || !isSilent(context, member.childId, at, member.bornAt),
    ) ?? null
  );
}

/** The start of the silence window a member is in at `at` (one window = the silence threshold). */
export function silenceWindow(context: SiblingWatchContext, member: SiblingMember, at: number): number {
  const threshold = context.settings.silenceThresholdMs;
  const silentSince = lastSeen(context, member.childId, at, member.bornAt) + threshold;
  return silentSince + Math.floor(Math.max(0, at - silentSince) / threshold) * threshold;
}

/**
 * The sibling this agent resurrects now, or null: only when the parent is silent, this agent is the
 * eldest live member, none is being resurrected, and a silent sibling was not tried in this window.
 */
export function siblingToResurrect(context: SiblingWatchContext): SiblingResurrection | null {
  const at = context.lastCheckAt;
  if (at === null || context.roster === null || context.resurrecting !== null) return null;
  if (!parentSilent(context, at)) return null;
  if (eldestLive(context, at)?.childId !== context.agentId) return null;
  const candidate = [...context.roster.members]
    .sort((a, b) => a.index - b.index)
    .find(
      (member) =>
        member.childId !== context.agentId &&
        isSilent(context, member.childId, at, member.bornAt) &&
        context.attempts[member.childId]?.window !== silenceWindow(context, member, at),
    );
  if (!candidate) return null;
  return {
    childId: candidate.childId,
    window: silenceWindow(context, candidate, at),
    // A new data dir only after a resurrection that succeeded: a failed one is resumed in its own dir
    // (its take-back may be done already), and one that found the sibling alive left none.
    attempt: (context.resurrected[candidate.childId] ?? 0) + 1,
  };
}

/** Providers the family was last seen on: a resurrected sibling is placed away from them. */
export function familyProviders(context: SiblingWatchContext): string[] {
  return [
    ...new Set(
      (context.roster?.members ?? []).flatMap((member) => (member.provider ? [member.provider] : [])),
    ),
  ];
}

/** Whether a roster names a different set of members (the heartbeat watch then follows the new one). */
export function membersDiffer(a: SiblingWatchContext["roster"], b: SiblingWatchContext["roster"]): boolean {
  const ids = (roster: SiblingWatchContext["roster"]) =>
    [roster?.parent.agentId ?? "", ...(roster?.members ?? []).map((m) => `${m.childId}/${m.npub}`)]
      .sort()
      .join(",");
  return ids(a) !== ids(b);
}
