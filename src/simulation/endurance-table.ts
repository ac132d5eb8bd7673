import type { EnduranceReport, MemberReport } from "./endurance.js";
import type { Incident } from "./endurance-incidents.js";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const when = (ms: number) => {
  const day = Math.floor(ms / DAY_MS);
  const minutes = Math.floor((ms % DAY_MS) / MINUTE_MS);
  return `day ${day + 1} ${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
};

const percent = (fraction: number, digits: number) => `${(fraction * 100).toFixed(digits)} %`;

function row(cells: [string, number][]): string {
  return cells
    .map(([text, width], index) => (index === 0 ? text.padEnd(width) : text.padStart(width)))
    .join("");
}

function memberRow(member: MemberReport): string {
  const { incidents } = member;
  const rotations = member.keyRotations;
  return row([
    [member.agentId, 9],
    [percent(member.availability, 3), 11],
    [`${member.downtimeMinutes.toFixed(1)}`, 9],
    [String(member.spentUact), 12],
    [String(member.capUact), 12],
    [percent(member.spentUact / member.capUact, 1), 8],
    [String(member.capRefusals), 8],
    [String(member.moves), 6],
    [String(member.leasesAtSpikedPrice), 7],
    [`${member.orphanedMax}/${member.orphanedAtEnd}`, 9],
    [`${rotations.akash}/${rotations.payment}/${rotations.identity}/${rotations.encryption}`, 10],
    [String(member.keyRotationFailures), 6],
    [String(incidents.incidents.length), 10],
    [String(incidents.alertsSent), 7],
    [String(incidents.silent.length), 7],
    [String(incidents.noisy.length), 7],
    [String(incidents.stray.length), 6],
    [String(member.humanActionsNeeded), 7],
  ]);
}

const HEADER = row([
  ["agent", 9],
  ["available", 11],
  ["down min", 9],
  ["spent uact", 12],
  ["cap uact", 12],
  ["of cap", 8],
  ["refused", 8],
  ["moves", 6],
  ["spiked", 7],
  ["orphaned", 9],
  ["keys a/p/i/e", 13],
  ["fails", 6],
  ["incidents", 10],
  ["alerts", 7],
  ["silent", 7],
  [">1", 7],
  ["stray", 6],
  ["human", 7],
]);

function describe(member: MemberReport, incident: Incident): string {
  const alerts =
    incident.alerts.length === 0
      ? "no alert"
      : incident.alerts.map((a) => `"${a.title}" (${a.severity})`).join(", ");
  const span = Math.round((incident.end - incident.start) / MINUTE_MS);
  return `  ${member.agentId} ${when(incident.start)}, ${span} min, ${incident.kinds.join("+")} (${incident.detail}): ${alerts}`;
}

/** The endurance run's report as text: the per-member table, family totals, and every incident that broke the one-alert rule. */
export function enduranceTable(report: EnduranceReport): string[] {
  const { members, market } = report;
  const sum = (pick: (member: MemberReport) => number) => members.reduce((total, m) => total + pick(m), 0);
  const downMinutes = sum((m) => m.downtimeMinutes);
  const familyAvailability = 1 - downMinutes / (members.length * report.days * 24 * 60);
  const lines = [
    `Family endurance run on the market simulator (NOT the devnet: 90 days are ~1.3 M blocks, which the devnet cannot run): ${report.agents} agents, ${report.days} days, ${report.providers} providers on one shared market, seed ${report.seed}; deployment priced at ${report.targetPricePerBlock.toFixed(3)} uact/block by the providers' default script, max price ${report.maxPriceUact}`,
    `World: ${market.providerFailures} provider node failures, ${market.reclaims} reclaims, ${market.darkProviders} providers gone dark, ${market.priceSpikes.length} price spikes (×${market.priceSpikes[0]?.multiplier ?? 3}), ${market.rpcOutages.length} RPC outages (${Math.round(market.rpcOutages.reduce((t, o) => t + o.end - o.start, 0) / MINUTE_MS)} min in all), scheduled key rotations; no human action taken during the run`,
    "",
    HEADER,
    ...members.map(memberRow),
    "",
    `family: availability ${percent(familyAvailability, 3)}, downtime ${downMinutes.toFixed(1)} min, spent ${sum((m) => m.spentUact)} uact of ${sum((m) => m.capUact)} uact capped (${percent(sum((m) => m.spentUact) / sum((m) => m.capUact), 1)}), ${sum((m) => m.capRefusals)} deposits refused at the cap, ${sum((m) => m.moves)} moves (${sum((m) => m.leasesAtSpikedPrice)} leases taken at a spiked price), orphaned deployments ${sum((m) => m.orphanedMax)} (worst day's end) / ${sum((m) => m.orphanedAtEnd)} (end), ${sum((m) => m.keyRotations.akash + m.keyRotations.payment + m.keyRotations.identity + m.keyRotations.encryption)} key rotations (${sum((m) => m.keyRotationFailures)} failed and rolled back), ${sum((m) => m.incidents.incidents.length)} incidents, ${sum((m) => m.incidents.alertsSent)} alerts sent (${sum((m) => m.incidents.alertsSuppressed)} repeats held back), ${sum((m) => m.humanActionsNeeded)} human actions needed`,
  ];
  const silent = members.flatMap((m) => m.incidents.silent.map((incident) => describe(m, incident)));
  const noisy = members.flatMap((m) => m.incidents.noisy.map((incident) => describe(m, incident)));
  const stray = members.flatMap((m) =>
    m.incidents.stray.map(
      (alert) => `  ${m.agentId} ${when(alert.at)}: "${alert.title}" (${alert.severity}, ${alert.key})`,
    ),
  );
  lines.push("", `incidents without an alert: ${silent.length}`, ...silent);
  lines.push(`incidents with more than one alert: ${noisy.length}`, ...noisy);
  lines.push(`alerts outside every incident: ${stray.length}`, ...stray);
  const orphanDays = members.filter((m) => m.orphanDays.length > 0);
  for (const member of orphanDays) {
    lines.push(`${member.agentId}: orphaned deployment at the end of day(s) ${member.orphanDays.join(", ")}`);
  }
  const swept = sum((m) => m.sweptByRevoke);
  if (swept > 0) lines.push(`deployments of revoked Akash keys closed by the revocation: ${swept}`);
  return lines;
}
