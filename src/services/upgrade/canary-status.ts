import { z } from "zod";

/** Where a canary's self-test stands (issue 18): it runs once, after the canary activation. */
export const selfTestStates = ["running", "passed", "failed"] as const;
export type SelfTestState = (typeof selfTestStates)[number];

export interface SelfTestReport {
  readonly state: SelfTestState;
  /** Why it failed, or what it is doing; public words only. */
  readonly detail: string;
  /** Relay events copied from the leader. */
  readonly syncedEvents: number;
}

/** What a canary instance answers on `GET /api/status`. */
export interface CanaryStatus {
  readonly state: "canary";
  readonly agentId: string;
  readonly selfTest: SelfTestReport;
}

const canaryStatusSchema = z.object({
  state: z.literal("canary"),
  agentId: z.string(),
  selfTest: z.object({
    state: z.enum(selfTestStates),
    detail: z.string(),
    syncedEvents: z.number().int().nonnegative(),
  }),
});

/** One look at a canary: reachable and passed, or why not. */
export type CanaryProbe =
  | { readonly healthy: true }
  | { readonly healthy: false; readonly failed: boolean; readonly reason: string };

/** Reads a canary's `/api/status`: healthy once its self-test passed; `failed` when the self-test failed. */
export async function probeCanary(url: string, timeoutMs: number): Promise<CanaryProbe> {
  let response: Response;
  try {
    response = await fetch(new URL("/api/status", url), { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
    return { healthy: false, failed: false, reason: `not reachable (${cause ?? (error as Error).message})` };
  }
  if (!response.ok)
    return { healthy: false, failed: false, reason: `/api/status answered ${response.status}` };
  const parsed = canaryStatusSchema.safeParse(await response.json().catch(() => null));
  if (!parsed.success) {
    return { healthy: false, failed: false, reason: "its /api/status does not describe a canary" };
  }
  const { selfTest } = parsed.data;
  if (selfTest.state === "passed") return { healthy: true };
  return {
    healthy: false,
    failed: selfTest.state === "failed",
    reason: selfTest.state === "failed" ? `its self-test failed: ${selfTest.detail}` : selfTest.detail,
  };
}
