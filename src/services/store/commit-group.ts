import type { AgentStore } from "./agent-store.js";

/** A persister's part of a group commit: what it writes inside the shared transaction, and after it. */
export interface GroupWrite {
  /** Runs inside the group's transaction. */
  write(): void;
  /** Runs once the transaction committed. */
  committed(): void;
  /** The transaction failed: this member's step was not saved. */
  failed(error: unknown): void;
}

/** A persister that takes part in group commits. */
export interface CommitGroupMember {
  /** Called once per tick in which the member asked to be committed; `null` when it has nothing to write. */
  prepareGroupWrite(): GroupWrite | null;
  /** Reports an error of `prepareGroupWrite` (a secret in a snapshot, a value that is not JSON). */
  reportError(error: unknown): void;
}

/**
 * Group commit (DESIGN §17): many persisters over one store write in one transaction per tick. The
 * first member that asks in a tick queues one microtask; every member that asks before it runs is
 * written in the same transaction. A member asks on its step's first inspection event, before any
 * actor started in that step can resume after an `await`, so the commit still lands before the next
 * side effect of every member in it.
 */
export interface CommitGroup {
  /** Queues `member` for this tick's transaction (once per tick however often it asks). */
  request(member: CommitGroupMember): void;
  /** Transactions committed so far, and member writes in them. */
  readonly commits: number;
  readonly memberWrites: number;
}

export function createCommitGroup(store: Pick<AgentStore, "transaction">): CommitGroup {
  let queued = new Set<CommitGroupMember>();
  let scheduled = false;
  let commits = 0;
  let memberWrites = 0;

  const commit = () => {
    scheduled = false;
    const members = queued;
    queued = new Set();
    const writes: GroupWrite[] = [];
    for (const member of members) {
      try {
        const write = member.prepareGroupWrite();
        if (write) writes.push(write);
      } catch (error) {
        member.reportError(error);
      }
    }
    if (writes.length === 0) return;
    try {
      store.transaction(() => {
        for (const write of writes) write.write();
      });
    } catch (error) {
      for (const write of writes) write.failed(error);
      return;
    }
    commits += 1;
    memberWrites += writes.length;
    for (const write of writes) write.committed();
  };

  return {
    request(member) {
      queued.add(member);
      if (scheduled) return;
      scheduled = true;
      queueMicrotask(commit);
    },
    get commits() {
      return commits;
    },
    get memberWrites() {
      return memberWrites;
    },
  };
}
