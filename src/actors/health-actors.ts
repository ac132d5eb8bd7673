import { fromPromise } from "xstate";
import type { CheckHealthInput } from "../machines/health/health.actors.js";
import type { HealthReport, ObservedLeaseState } from "../machines/health/health.types.js";
import type { LeaseStatus } from "../services/akash/akash-types.js";
import type { AgentServices } from "./agent-services.js";

const HOUR_MS = 3_600_000;

/** Hours of escrow left at a price per block. */
export function escrowRunwayHours(
  balanceUact: string,
  priceUact: string,
  blockSeconds: number,
): number | null {
  const price = Number(priceUact);
  if (!(price > 0)) return null;
  const blocksLeft = Number(balanceUact) / price;
  return (blocksLeft * blockSeconds * 1000) / HOUR_MS;
}

/** The health monitor's one look at everything; a provider that does not answer is a finding, not an error. */
export function createHealthActors(services: AgentServices) {
  const { chain, gateway, metrics, settings, logger, store } = services;
  const log = logger.child({ actor: "health" });

  /** Our own measurement of the provider: each check counts toward its uptime; a lease gone ends its record. */
  const recordCheck = (target: CheckHealthInput["target"], up: boolean, leaseState: ObservedLeaseState) => {
    store.providerPerformance.checkResult(target, up);
    if (leaseState === "closed" || leaseState === "insufficient_funds") {
      if (store.providerPerformance.latest(target)?.endedAt === null) {
        store.providerPerformance.leaseEnded(target, {
          endedAt: services.now(),
          outcome: "closed",
          issues: [`the lease is ${leaseState} on chain`],
        });
      }
    }
  };

  /** The ingress names that did not resolve; null when none was looked up. */
  const lookUpIngress = async (uris: string[]): Promise<string[] | null> => {
    if (!services.ingress) return null;
    return services.ingress.unresolved(uris).catch((error: unknown) => {
      log.warn({ err: error }, "ingress DNS lookup failed");
      return null;
    });
  };

  return {
    checkHealth: fromPromise<HealthReport, CheckHealthInput>(async ({ input }) => {
      const { target } = input;
      const at = services.now();
      const probe = target.hostUri
        ? await gateway.probe({
            provider: target.provider,
            hostUri: target.hostUri,
            timeoutMs: settings.slowProviderMs * 3,
          })
        : { ok: false, latencyMs: 0, certificateExpired: false };
      const [lease, deployment, balances, aktUsd, unresolved] = await Promise.all([
        chain.lease(target),
        chain.deployment(target.dseq),
        chain.balances(),
        chain.aktPriceUsd().catch(() => settings.aktUsdFallback),
        lookUpIngress(target.uris),
      ]);
      let status: LeaseStatus | null = null;
      let statusFailed = false;
      if (probe.ok && target.hostUri) {
        status = await gateway.leaseStatus({ lease: target, hostUri: target.hostUri }).catch(() => {
          statusFailed = true;
          return null;
        });
      }
      const ready =
        status?.services.reduce((sum, service) => sum + Math.min(service.ready, service.total), 0) ?? 0;
      const total = status?.services.reduce((sum, service) => sum + service.total, 0) ?? 0;
      const leaseState: ObservedLeaseState = lease ? lease.state : "closed";
      const priceUact = lease?.priceUact ?? "0";
      const runway = deployment?.escrow
        ? escrowRunwayHours(deployment.escrow.balanceUact, priceUact, settings.blockSeconds)
        : null;
      const dailyUact = (Number(priceUact) * 86_400) / settings.blockSeconds;
      const walletUsd =
        (Number(balances.uact) / 1e6) * settings.actUsd + (Number(balances.uakt) / 1e6) * aktUsd;
      const walletRunwayDays = dailyUact > 0 ? walletUsd / ((dailyUact / 1e6) * settings.actUsd) : null;
      recordCheck(target, probe.ok && total > 0 && ready >= total, leaseState);
      const report: HealthReport = {
        at,
        provider: {
          reachable: probe.ok,
          responsive: probe.ok && probe.latencyMs < settings.slowProviderMs && !statusFailed,
          certificateExpired: probe.certificateExpired === true,
        },
        lease: { state: leaseState, reclaimDeadline: null, deploymentOpen: deployment?.state === "active" },
        ingress: unresolved === null ? null : { unresolved },
        services: { ready, total },
        usage: await metrics.usage(target, target.uris),
        escrowRunwayHours: runway,
        walletRunwayDays,
      };
      log.debug(
        {
          provider: target.provider,
          reachable: report.provider.reachable,
          latencyMs: probe.latencyMs,
          lease: leaseState,
          services: `${ready}/${total}`,
          ingressUnresolved: unresolved,
          escrowRunwayHours: runway === null ? null : Number(runway.toFixed(1)),
        },
        "health check",
      );
      return report;
    }),
  };
}
