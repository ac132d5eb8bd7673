import type { HealthNotice } from "./health.events.js";
import type { HealthReport, HealthSettings, HealthTarget, HealthTrack } from "./health.types.js";

export interface HealthVerdict {
  track: HealthTrack;
  notices: HealthNotice[];
}

const resources = [
  { key: "memory", usage: "memoryPercent", threshold: "memoryPercent" },
  { key: "disk", usage: "diskPercent", threshold: "diskPercent" },
  { key: "cpu", usage: "cpuPercent", threshold: "cpuPercent" },
] as const;

/**
 * Turns one health report into notices, with hysteresis: a provider is called offline or degraded,
 * and services failed, only after `failuresBeforeAlarm` consecutive bad checks, and each condition
 * is reported once until it clears. Escrow and wallet runway are reported on every check while low
 * (the receivers ignore repeats while they act on the first).
 */
export function evaluateHealth(
  previous: HealthTrack,
  report: HealthReport,
  target: HealthTarget,
  settings: HealthSettings,
): HealthVerdict {
  const limit = settings.failuresBeforeAlarm;
  const { thresholds } = settings;
  const notices: HealthNotice[] = [];
  const reported = { ...previous.reported };

  const unreachable = report.provider.reachable ? 0 : previous.unreachable + 1;
  const unresponsive =
    report.provider.reachable && !report.provider.responsive ? previous.unresponsive + 1 : 0;
  const servicesHealthy = report.services.total > 0 && report.services.ready >= report.services.total;
  const servicesDown = report.provider.reachable && !servicesHealthy ? previous.servicesDown + 1 : 0;

  if (report.lease.state === "closed" || report.lease.state === "insufficient_funds") {
    if (!reported.closed) {
      notices.push({
        type: "LEASE.CLOSED",
        reason: report.lease.state,
        deploymentOpen: report.lease.deploymentOpen,
      });
      reported.closed = true;
    }
    return { track: { ...previous, unreachable, unresponsive, servicesDown, reported }, notices };
  }
  reported.closed = false;

  if (report.lease.state === "reclaiming" || report.lease.state === "unknown") {
    if (!reported.reclaiming) {
      notices.push({
        type: "LEASE.RECLAIMING",
        provider: target.provider,
        deadline: report.lease.reclaimDeadline,
      });
      reported.reclaiming = true;
    }
  } else {
    reported.reclaiming = false;
  }

  if (unreachable >= limit && !reported.offline) {
    notices.push({ type: "HEALTH.PROVIDER_OFFLINE", provider: target.provider });
    reported.offline = true;
  } else if (unreachable === 0) {
    reported.offline = false;
  }

  const certificateExpired = report.provider.certificateExpired === true;
  if (certificateExpired && !reported.certificateExpired) {
    // A fact read from the certificate, not a flaky observation: no hysteresis.
    notices.push({ type: "HEALTH.CERTIFICATE_EXPIRED", provider: target.provider });
  }
  reported.certificateExpired = certificateExpired;

  // Each failed check is reported with the count: the recovery policy decides when to stop waiting.
  const unresolved = report.ingress?.unresolved ?? [];
  const ingressDown = unresolved.length > 0 ? (previous.ingressDown ?? 0) + 1 : 0;
  if (ingressDown > 0) {
    notices.push({
      type: "HEALTH.INGRESS_UNREACHABLE",
      provider: target.provider,
      failedChecks: ingressDown,
      reason: `${unresolved.join(", ")} did not resolve`,
    });
  }

  if (unresponsive >= limit && !reported.degraded) {
    notices.push({
      type: "HEALTH.PROVIDER_DEGRADED",
      provider: target.provider,
      reason: `${unresponsive} consecutive slow or failing status checks`,
    });
    reported.degraded = true;
  } else if (unresponsive === 0 && report.provider.reachable) {
    reported.degraded = false;
  }

  if (servicesDown >= limit && !reported.servicesFailed) {
    notices.push({
      type: "HEALTH.SERVICES_FAILED",
      reason: `${report.services.ready} of ${report.services.total} services ready for ${servicesDown} checks`,
    });
    reported.servicesFailed = true;
  } else if (servicesDown === 0) {
    reported.servicesFailed = false;
  }

  const overThreshold = { ...previous.overThreshold };
  for (const resource of resources) {
    const usage = report.usage?.[resource.usage];
    if (usage !== undefined && usage > thresholds[resource.threshold]) {
      overThreshold[resource.key] += 1;
      if (overThreshold[resource.key] >= limit) {
        notices.push({ type: "HEALTH.RESOURCES_EXHAUSTED", resource: resource.key, usagePercent: usage });
        overThreshold[resource.key] = 0;
      }
    } else {
      overThreshold[resource.key] = 0;
    }
  }

  if (report.escrowRunwayHours !== null && report.escrowRunwayHours < thresholds.escrowRunwayHours) {
    notices.push({ type: "LEASE.ESCROW_LOW", runwayHours: report.escrowRunwayHours, observedAt: report.at });
  }
  if (report.walletRunwayDays !== null && report.walletRunwayDays < thresholds.walletRunwayDays) {
    notices.push({ type: "TREASURY.WALLET_LOW", runwayDays: report.walletRunwayDays });
  }

  const passed =
    report.provider.reachable &&
    report.provider.responsive &&
    servicesHealthy &&
    !certificateExpired &&
    unresolved.length === 0 &&
    report.lease.state === "active";
  if (passed)
    notices.push({ type: "HEALTH.PASSED", at: report.at, escrowRunwayHours: report.escrowRunwayHours });

  return {
    track: { unreachable, unresponsive, servicesDown, ingressDown, overThreshold, reported },
    notices,
  };
}
