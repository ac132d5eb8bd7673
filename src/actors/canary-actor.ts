import { fromPromise } from "xstate";
import { EffectError } from "../domain/effect-failure.js";
import type { RunCanaryInput } from "../machines/lease/lease.actors.js";
import { handoverCrashPointFromEnv } from "../runtime/handover-crash-point.js";
import { ActivationRefusedError } from "../services/activation/index.js";
import type { LeaderLocation } from "../services/store/index.js";
import { probeCanary, settingsWithImage } from "../services/upgrade/index.js";
import { activateNextLeader, instanceUrl } from "./activate-next-leader.js";
import type { AgentServices } from "./agent-services.js";

const DEFAULT_CHECKS = { intervalMs: 5_000, failedChecks: 3 };

/**
 * The lease machine's `runCanary` (issue 18). The new deployment runs the new image and is ready. The
 * instance there is activated as a canary (the keystore and the state as they are, the serving relay to
 * sync from; it does not lead), then watched: its self-test must pass, and its checks must hold for
 * `monitorMs` after that, while this instance keeps serving. A failed self-test, `failedChecks` failed
 * checks in a row after it passed, or no pass within the start window, is fatal: the machine rolls back.
 * It sends nothing to the chain: a rerun after a crash activates again (the canary answers its
 * acknowledgement) and watches anew. An agent that does not live in its lease has no instance to try.
 */
export function createCanaryActor(services: AgentServices) {
  const log = services.logger.child({ actor: "lease", step: "canary" });
  return fromPromise<void, RunCanaryInput>(async ({ input, signal }) => {
    const { selfHosting, store, keys } = services;
    if (!selfHosting) {
      log.info({ image: input.image }, "no instance of this agent runs in the new lease: nothing to try");
      return;
    }
    const uri = input.lease.uris[0];
    if (!uri) throw new EffectError("fatal", `the new lease ${input.lease.dseq} lists no URI to try`);
    const syncFrom = input.previous.uris[0] ?? "";
    const leader: LeaderLocation = { dseq: input.lease.dseq, provider: input.lease.provider, uri };
    const me = store.leadership.current();
    try {
      const receipt = await activateNextLeader({
        keys,
        keystore: services.keystore,
        store,
        settings: settingsWithImage(selfHosting.settings(), input.image),
        leader,
        generation: me.generation + 1,
        logger: services.logger,
        canary: { syncFrom },
      });
      if (!receipt.alreadyActivated) handoverCrashPointFromEnv(keys.identity.agentId)("canary-activated");
    } catch (error) {
      const refused = error instanceof ActivationRefusedError;
      throw new EffectError(
        refused ? "fatal" : "retryable",
        `activating the canary of ${input.image} failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    await watchCanary({
      url: instanceUrl(uri),
      image: input.image,
      monitorMs: input.monitorMs,
      startWindowMs: Math.max(input.monitorMs, services.settings.servicesReadyTimeoutMs),
      checks: services.settings.upgradeChecks ?? DEFAULT_CHECKS,
      now: services.now,
      signal,
      log,
    });
  });
}

async function watchCanary(o: {
  url: string;
  image: string;
  monitorMs: number;
  startWindowMs: number;
  checks: { intervalMs: number; failedChecks: number };
  now: () => number;
  signal: AbortSignal;
  log: AgentServices["logger"];
}): Promise<void> {
  const startBy = o.now() + o.startWindowMs;
  let passedAt: number | null = null;
  let failures = 0;
  for (;;) {
    if (o.signal.aborted) throw new EffectError("retryable", "the canary watch was stopped");
    const probe = await probeCanary(o.url, Math.min(o.checks.intervalMs * 2, 10_000));
    const now = o.now();
    if (probe.healthy) {
      if (passedAt === null) {
        passedAt = now;
        o.log.info(
          { image: o.image, monitorMs: o.monitorMs },
          "the canary passed its self-test: watching it",
        );
      }
      failures = 0;
      if (now - passedAt >= o.monitorMs) {
        o.log.info({ image: o.image }, "the canary stayed healthy for the monitoring period");
        return;
      }
    } else if (probe.failed) {
      throw new EffectError("fatal", `the canary of ${o.image} is unhealthy: ${probe.reason}`);
    } else if (passedAt !== null) {
      failures += 1;
      o.log.warn({ image: o.image, failures, reason: probe.reason }, "a check of the canary failed");
      if (failures >= o.checks.failedChecks) {
        throw new EffectError(
          "fatal",
          `the canary of ${o.image} failed ${failures} checks in a row: ${probe.reason}`,
        );
      }
    } else if (now > startBy) {
      throw new EffectError(
        "fatal",
        `the canary of ${o.image} did not pass its self-test within ${Math.round(o.startWindowMs / 1000)} s: ${probe.reason}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, o.checks.intervalMs));
  }
}
