import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { openAgentStore } from "../store/agent-store.js";
import { DEFAULT_DATABASE_FILE } from "../store/database.js";
import type { Leadership } from "../store/leadership-repository.js";
import {
  type ChildLocation,
  type ChildRunInput,
  childCliRun,
  childRunArgs,
  childSettingsOf,
  parseHandedOver,
} from "./child-bootstrap.js";
import { runChildCli } from "./child-cli-run.js";
import { ChildRunFailedError } from "./family-errors.js";

/** What `restore --json` prints. */
const restoredSchema = z.object({
  id: z.string(),
  seq: z.number().int(),
  dseq: z.string().nullable(),
});

export type RestoredBackup = z.infer<typeof restoredSchema>;

/** Where the family last knew a child to lead: its deployment and provider. */
export interface KnownChildLease {
  readonly dseq: string;
  readonly provider: string;
}

export interface ResurrectionInput extends ChildRunInput {
  /** Told once the child's backup is in the data dir (not on a resumed call that finds it there). */
  readonly onRestored?: (backup: RestoredBackup) => void;
  /**
   * Where the family (the parent's registry, a sibling's roster) last knew the child to lead: the leader
   * to take back from when the backup was made outside any lease (see adoptKnownLeader).
   */
  readonly lastKnown?: KnownChildLease | null;
}

function leadershipIn(dataDir: string): Leadership {
  const store = openAgentStore({ dataDir });
  try {
    return store.leadership.current();
  } finally {
    store.close();
  }
}

/** Where a resurrection's data dir records the generation its backup restored (before any run). */
export const RESURRECTION_FILE = "resurrection.json";

const resurrectionSchema = z.object({ restoredGeneration: z.number().int().min(0) });

/**
 * The generation the restored state had before this resurrection ran anything in it, recorded once:
 * a later generation in the store means the take-back is done and the child's run only resumes.
 */
function restoredGeneration(dataDir: string): number {
  const file = join(dataDir, RESURRECTION_FILE);
  if (existsSync(file))
    return resurrectionSchema.parse(JSON.parse(readFileSync(file, "utf8"))).restoredGeneration;
  const { generation } = leadershipIn(dataDir);
  writeFileSync(`${file}.tmp`, JSON.stringify({ restoredGeneration: generation }), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return generation;
}

/**
 * A backup made by a process that ran the child outside any lease (its bootstrap before the handover,
 * or the take-back run of an earlier resurrection before it handed over) records it leading with no
 * lease: it names no leader to take back from, and `--take-back` refused it as "nothing to take back",
 * which read as "alive" (every later attempt restored the same backup and was refused the same way).
 * That process did hand over: to where the family last knew the child, which is recorded here as the
 * leader it handed over to. The take-back still refuses unless the child's heartbeats are silent and
 * that lease is gone. Returns whether it recorded anything.
 */
export function adoptKnownLeader(dataDir: string, known: KnownChildLease): boolean {
  const store = openAgentStore({ dataDir });
  try {
    const now = store.leadership.current();
    if (now.state !== "leading" || now.leader !== null) return false;
    store.leadership.record({
      generation: now.generation,
      state: "handed_over",
      leader: { dseq: known.dseq, provider: known.provider, uri: "" },
    });
    return true;
  } finally {
    store.close();
  }
}

/**
 * Brings a child back whose provider is gone (DESIGN §13, life): restores its latest backup into a
 * fresh data dir with the child's own keys (`restore`), then takes it back and redeploys it elsewhere
 * (`run --take-back --until handed-over --json`). The take-back itself refuses (exit code 3, a
 * ChildRunFailedError with childExitCode 3) unless the child's heartbeats are silent and its lease is
 * gone, so a child that still lives is never doubled. Calling this again on the same data dir resumes:
 * the restore is not repeated once its store is in place, nor the take-back once it is recorded.
 */
export async function resurrectChild(input: ResurrectionInput): Promise<ChildLocation> {
  const what = `the resurrection of child ${input.child.index} (${input.child.childId})`;
  const settings = childSettingsOf(input);
  if (!existsSync(join(input.dataDir, DEFAULT_DATABASE_FILE))) {
    const restoreArgs = [
      "restore",
      "--json",
      ...(settings.devnetUrl ? ["--devnet-url", settings.devnetUrl] : []),
    ];
    const restored = await runChildCli(childCliRun(input, restoreArgs, `${what} (restoring its backup)`));
    const line = restored.stdout.findLast((text) => text.trim().startsWith("{"));
    const parsed = line === undefined ? null : restoredSchema.safeParse(JSON.parse(line));
    if (!parsed?.success) {
      throw new ChildRunFailedError(
        `${what}: restore exited 0 but printed no { "id", "seq", "dseq" } line`,
        0,
        restored.lastLines,
      );
    }
    input.onRestored?.(parsed.data);
  }
  const before = restoredGeneration(input.dataDir);
  if (input.lastKnown && leadershipIn(input.dataDir).generation === before) {
    adoptKnownLeader(input.dataDir, input.lastKnown);
  }
  const now = leadershipIn(input.dataDir);
  // Taken back already (a later generation here): the run resumes, or says where the child went once
  // it handed over; else --take-back, which the child's CLI refuses unless its heartbeats are silent
  // and its lease gone.
  // A resumed run whose lease had failed (e.g. its services were not ready in time) deploys again.
  const flags = now.generation > before ? ["--retry"] : ["--take-back"];
  const outcome = await runChildCli(childCliRun(input, childRunArgs(settings, flags), what));
  return parseHandedOver(outcome.stdout, what, outcome.lastLines);
}

/** The exit code of `run --take-back` when the child is not silent or its lease not gone. */
const TAKE_BACK_REFUSED = 3;

export type ResurrectionOutcome =
  | ({ outcome: "resurrected" } & ChildLocation)
  /** The take-back was refused: the child still beats or its lease runs. */
  | { outcome: "alive"; reason: string };

/**
 * resurrectChild, reading a refused take-back as "alive": nothing was taken back, so its data dir is
 * dropped and the next attempt restores the child's latest backup, not this one.
 */
export async function resurrectUnlessAlive(input: ResurrectionInput): Promise<ResurrectionOutcome> {
  try {
    return { outcome: "resurrected", ...(await resurrectChild(input)) };
  } catch (error) {
    if (error instanceof ChildRunFailedError && error.childExitCode === TAKE_BACK_REFUSED) {
      rmSync(input.dataDir, { recursive: true, force: true });
      return { outcome: "alive", reason: error.message };
    }
    throw error;
  }
}
