import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { type ResolvedDevnetEndpoints, resolveDevnetEndpoints } from "../services/akash/akash-endpoints.js";

/**
 * `akash-agent devnet --data DIR` writes this file in DIR once it is ready (and removes it when it
 * stops), so that `npm start` can reuse it and `devnet stop --data` can find it.
 */
export const DEVNET_PROCESS_FILE = "devnet-process.json";

const recordSchema = z.object({
  pid: z.number().int().positive(),
  control: z.string().url(),
  startedAt: z.string(),
});

export type DevnetProcessRecord = z.infer<typeof recordSchema>;

export function devnetProcessRecordPath(devnetDir: string): string {
  return join(devnetDir, DEVNET_PROCESS_FILE);
}

export function writeDevnetProcessRecord(devnetDir: string, record: DevnetProcessRecord): void {
  const file = devnetProcessRecordPath(devnetDir);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(record)}\n`);
  renameSync(temporary, file);
}

/** The record in `devnetDir`, or null when there is none or it is not one (a torn or foreign file). */
export function readDevnetProcessRecord(devnetDir: string): DevnetProcessRecord | null {
  const file = devnetProcessRecordPath(devnetDir);
  if (!existsSync(file)) return null;
  try {
    const parsed = recordSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Removes the record, unless it now names another process (a newer devnet wrote its own). */
export function removeDevnetProcessRecord(devnetDir: string, pid: number): void {
  const current = readDevnetProcessRecord(devnetDir);
  if (current !== null && current.pid !== pid) return;
  rmSync(devnetProcessRecordPath(devnetDir), { force: true });
}

/** Whether `pid` runs (a zombie left for a parent that does not reap it counts as gone). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    // /proc/PID/stat: "pid (comm) S …"; the state follows the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

/** The devnet's endpoints when its control URL answers, else null. */
export async function devnetAnswers(
  control: string,
  timeoutMs = 3_000,
): Promise<ResolvedDevnetEndpoints | null> {
  try {
    return await resolveDevnetEndpoints(control, { timeoutMs });
  } catch {
    return null;
  }
}

const agentProcessesSchema = z.array(
  z.object({
    owner: z.string(),
    dseq: z.string(),
    service: z.string(),
    pid: z.number().int().nullable(),
    logFile: z.string().nullable(),
  }),
);

/** A process the devnet's providers run for a lease (the agent's image), from `GET {control}/agents`. */
export type DevnetAgentProcess = z.infer<typeof agentProcessesSchema>[number];

/** The agent processes a running devnet's providers run; empty when it does not answer. */
export async function devnetAgentProcesses(control: string): Promise<DevnetAgentProcess[]> {
  try {
    const response = await fetch(new URL("/agents", control), { signal: AbortSignal.timeout(3_000) });
    if (!response.ok) return [];
    const parsed = agentProcessesSchema.safeParse(await response.json());
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}
