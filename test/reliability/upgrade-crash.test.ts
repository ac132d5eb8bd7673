import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../src/devnet/index.js";
import { createLogger } from "../../src/logging/index.js";
import { ACTIVATION_CRASH_AT_ENV, HANDOVER_CRASH_AT_ENV } from "../../src/runtime/handover-crash-point.js";
import { latestOwnHeartbeat } from "../../src/runtime/leader-elsewhere.js";
import { runCli } from "../../support/run-cli.js";
import { bootstrapUntilHandedOver } from "../support/bootstrap-handover.js";
import {
  hasEvent,
  leadershipOfStatus,
  publishNote,
  type RemoteStatus,
  remoteStatus,
  settingsEnv,
} from "../support/deployed-agent-probes.js";
import { agentProcessOptions, startTestDevnet, waitFor } from "../support/devnet.js";
import { FULL_CRASH_MATRIX as FULL, runsInScope, scopeTitle } from "./crash-matrix-scope.js";
import {
  activeDeployments,
  armedSpec,
  deployedCrashSettings,
  formatMatrixTable,
  type MatrixRowOutcome,
  matrixDirs,
  ownProcesses,
  type RowAgent,
  rowAgents,
  rowProgress,
  runRows,
  untilOneProcess,
  watchRestarts,
} from "./deployed-crash-matrix.js";

const quiet = createLogger({ level: "silent", json: true });
const IMAGE = "ghcr.io/akash-agent/agent-relay";
const FROM = `${IMAGE}:0.1.0`;
const TO = `${IMAGE}:0.2.0`;

/**
 * Who dies: the old leader (during the canary or the handover), the canary instance (during its
 * activation), the new leader or the standby (inside the rollback window).
 */
type Side = "old leader" | "canary" | "new leader" | "standby";

interface UpgradeCrashRow {
  /** Unique: AGENT_UPGRADE_CRASH_ROWS=name,name picks rows (to look at one). */
  readonly name: string;
  readonly side: Side;
  /**
   * How it dies: at a crash point of the handover (the leader's steps) or of the activation (the
   * instance's steps), or by a SIGKILL that this test sends to its process inside the rollback window.
   */
  readonly kill:
    | { readonly at: typeof HANDOVER_CRASH_AT_ENV | typeof ACTIVATION_CRASH_AT_ENV; readonly step: string }
    | { readonly at: "rollback window" };
  /**
   * How many failed checks a restarting instance may take before it counts as failed (the canary by
   * the old leader, the new leader by the standby): `tolerant` (15 × 1 s, as production's 3 × 5 s
   * outlasts a restart) or `tight` (3 × 0.5 s: a kill is a failure, which then rolls back).
   */
  readonly checks: "tolerant" | "tight";
  /**
   * In the default run, the two cheapest rows (the full matrix runs with AGENT_FULL_CRASH_MATRIX=1):
   * alone on a loaded 2-core machine each row took 45–90 s, the tight new-leader row and the canary
   * acknowledged row least.
   */
  readonly inDefault: boolean;
}

const CHECKS = {
  tolerant: { "upgrade.checkIntervalMs": 1_000, "upgrade.failedChecks": 15 },
  tight: { "upgrade.checkIntervalMs": 500, "upgrade.failedChecks": 3 },
} as const;

const ROWS: readonly UpgradeCrashRow[] = [
  {
    name: "canary-activated",
    side: "old leader",
    kill: { at: HANDOVER_CRASH_AT_ENV, step: "canary-activated" },
    checks: "tolerant",
    inDefault: false,
  },
  {
    name: "self-recorded",
    side: "old leader",
    kill: { at: HANDOVER_CRASH_AT_ENV, step: "self-recorded" },
    checks: "tolerant",
    inDefault: false,
  },
  {
    name: "self-activated",
    side: "old leader",
    kill: { at: HANDOVER_CRASH_AT_ENV, step: "self-activated" },
    checks: "tolerant",
    inDefault: false,
  },
  {
    name: "canary-persisted",
    side: "canary",
    kill: { at: ACTIVATION_CRASH_AT_ENV, step: "canary-persisted" },
    checks: "tolerant",
    inDefault: false,
  },
  {
    name: "canary-acknowledged",
    side: "canary",
    kill: { at: ACTIVATION_CRASH_AT_ENV, step: "canary-acknowledged" },
    checks: "tolerant",
    inDefault: true,
  },
  {
    name: "new-leader-in-window",
    side: "new leader",
    kill: { at: "rollback window" },
    checks: "tolerant",
    inDefault: false,
  },
  {
    name: "new-leader-in-window-tight",
    side: "new leader",
    kill: { at: "rollback window" },
    checks: "tight",
    inDefault: true,
  },
  {
    name: "standby-in-window",
    side: "standby",
    kill: { at: "rollback window" },
    checks: "tolerant",
    inDefault: false,
  },
];

const picked = process.env.AGENT_UPGRADE_CRASH_ROWS?.split(",");
const selected = ROWS.filter((row) => (picked ? picked.includes(row.name) : runsInScope(row)));

type UpgradeRowAgent = RowAgent<UpgradeCrashRow>;

const stepOf = (row: UpgradeCrashRow) => ("step" in row.kill ? row.kill.step : "SIGKILL in window");
const cellsOf = (row: UpgradeCrashRow) => [row.side, stepOf(row), row.checks];

const baseSettings = {
  ...deployedCrashSettings,
  "agent.sdlProfile": "relay",
  "agent.image": FROM,
  // Long enough for a second event to be published after the canary's copy, before the handover.
  "upgrade.monitorMinutes": 0.2,
  // Long enough for a kill inside it and the killed instance's restart on a loaded machine.
  "upgrade.rollbackWindowMinutes": 0.5,
};

const settingsOf = (row: UpgradeCrashRow) => settingsEnv({ ...baseSettings, ...CHECKS[row.checks] });

/**
 * Issue 18, "SIGKILL of either side at each step ends with one leader and no orphaned deployment": on
 * one devnet whose providers run this package's own entry point, each row is its own agent, handed
 * over by a bootstrap and then asked to upgrade to a healthy tag with one kill armed. Afterwards:
 * exactly one instance leads (its generation the newest heartbeat's), exactly one deployment of the
 * owner is active (the leader's), the relay event published before the upgrade is still readable, and
 * the upgrade ended `upgraded` or `rolled_back` (either may follow a kill; the table says which).
 */
describe(`upgrade crash matrix (${scopeTitle()})`, () => {
  let devnet: DevnetHandle;
  const dirs = matrixDirs("upgrade-crash");
  let agents: UpgradeRowAgent[] = [];

  beforeAll(async () => {
    agents = await rowAgents(selected);
    // The providers' environment is shared by every agent's instances: each entry names its agent.
    const agentEnv: Record<string, string> = {};
    for (const variable of [HANDOVER_CRASH_AT_ENV, ACTIVATION_CRASH_AT_ENV] as const) {
      const spec = armedSpec(agents, (row) => (row.kill.at === variable ? stepOf(row) : undefined));
      if (spec) agentEnv[variable] = spec;
    }
    devnet = await startTestDevnet({
      providers: 3,
      nostr: true,
      ...agentProcessOptions(dirs.make("upgrade-crash-logs-")),
      agentEnv,
    });
  }, 120_000);

  let failed = false;
  afterAll(async () => {
    await devnet?.stop();
    dirs.cleanUp(failed);
  });

  /**
   * Waits for the moment inside the rollback window the row kills at, then SIGKILLs that process (its
   * provider restarts it): the new leader once it has been ready in its window for three of the
   * standby's check intervals (so the standby saw it answer, and counts its failures from then on), or
   * the old instance once it stands by.
   */
  async function killInWindow(agent: UpgradeRowAgent, oldDseq: string): Promise<string> {
    const owner = agent.keys.identity.akash;
    const newLeader = agent.row.side === "new leader";
    const seenReadyFor = 3 * CHECKS[agent.row.checks]["upgrade.checkIntervalMs"];
    const readySince = new Map<string, number>();
    const target = await waitFor(
      async () => {
        for (const instance of ownProcesses(devnet, owner)) {
          if (!instance.uri || instance.pid === null || (instance.dseq === oldDseq) === newLeader) continue;
          const status = await remoteStatus(instance.uri).catch(() => undefined);
          const leadership = status && leadershipOfStatus(status);
          if (!newLeader) {
            if (leadership?.state === "standby") return instance;
            continue;
          }
          const ready =
            leadership?.state === "leading" &&
            status?.upgrade?.state === "rollback_window" &&
            (await fetch(`http://${instance.uri}/readyz`).catch(() => undefined))?.ok === true;
          if (!ready) {
            readySince.delete(instance.uri);
            continue;
          }
          const since = readySince.get(instance.uri) ?? Date.now();
          readySince.set(instance.uri, since);
          if (Date.now() - since >= seenReadyFor) return instance;
        }
        return undefined;
      },
      300_000,
      newLeader ? "the new leader ready inside its rollback window" : "the old instance standing by",
    );
    process.kill(target.pid!, "SIGKILL");
    return target.dseq;
  }

  /**
   * Publishes a second event on the old leader's relay once the canary copied that relay (its
   * self-test passed) and the old leader still serves: only the new leader's copy at the handover can
   * take this one over. Null when the upgrade ended first (a canary rolled back), or when the handover
   * had begun already (the old relay refuses writes then).
   */
  async function publishAfterCanaryCopy(
    agent: UpgradeRowAgent,
    old: { uri: string; dseq: string },
    ended: () => boolean,
  ): Promise<string | null> {
    const owner = agent.keys.identity.akash;
    const ready = await waitFor(
      async () => {
        if (ended()) return "ended" as const;
        for (const instance of ownProcesses(devnet, owner)) {
          if (!instance.uri || instance.dseq === old.dseq) continue;
          const canary = (await remoteStatus(instance.uri).catch(() => undefined)) as
            | (RemoteStatus & { selfTest?: { state: string } })
            | undefined;
          if (canary?.state !== "canary" || canary.selfTest?.state !== "passed") continue;
          const leader = await remoteStatus(old.uri).catch(() => undefined);
          if (leader?.leadership?.state === "leading" && leader.upgrade?.state === "canary") return "canary";
        }
        return undefined;
      },
      300_000,
      "a canary that passed its self-test while the old leader serves",
    );
    if (ready === "ended") return null;
    return publishNote(`ws://${old.uri}`, `after the canary's copy (${agent.row.name})`).catch(() => null);
  }

  /** Every status this owner's instances answer, by address (those that answer). */
  async function statuses(uris: Iterable<string>): Promise<Map<string, RemoteStatus>> {
    const out = new Map<string, RemoteStatus>();
    for (const uri of new Set(uris)) {
      const status = await remoteStatus(uri).catch(() => undefined);
      if (status) out.set(uri, status);
    }
    return out;
  }

  async function runRow(agent: UpgradeRowAgent): Promise<MatrixRowOutcome> {
    const started = Date.now();
    const { row } = agent;
    const progress = rowProgress("upgrade-crash", row.name);
    const owner = agent.keys.identity.akash;
    const notes: string[] = [];
    const problems: string[] = [];
    const restarts = watchRestarts(devnet, owner);
    try {
      const { handover } = await bootstrapUntilHandedOver({
        devnetControl: devnet.control,
        dataDir: dirs.make(`upgrade-crash-${row.name}-`),
        mnemonic: agent.mnemonic,
        settings: settingsOf(row),
      });
      const oldUri = handover.leader.uri;
      const oldDseq = handover.leader.dseq;
      progress(`generation 1 leads at dseq ${oldDseq}: upgrading to ${TO}`);
      const noteId = await publishNote(`ws://${oldUri}`, `before the upgrade (${row.name})`);

      const upgrading = runCli(
        ["upgrade", "--url", `http://${oldUri}`, "--image", TO, "--wait", "--timeout", "480", "--json"],
        { AGENT_MNEMONIC: agent.mnemonic },
        500_000,
      );
      let ended = false;
      void upgrading.then(() => {
        ended = true;
      });
      const lateNoteId = await publishAfterCanaryCopy(agent, { uri: oldUri, dseq: oldDseq }, () => ended);
      progress(lateNoteId ? "second event published after the canary's copy" : "no second event published");
      if (row.kill.at === "rollback window") {
        const killed = await killInWindow(agent, oldDseq);
        progress(`killed the ${row.side} (dseq ${killed}) inside the rollback window`);
      }
      const upgrade = await upgrading;
      let outcome: { state?: string; reason?: string | null } = {};
      try {
        outcome = JSON.parse(upgrade.stdout.trim()) as typeof outcome;
      } catch {
        problems.push(`upgrade --wait printed no outcome (exit ${upgrade.code}): ${upgrade.stderr.trim()}`);
      }
      progress(`upgrade --wait: ${outcome.state ?? "?"}${outcome.reason ? ` (${outcome.reason})` : ""}`);
      if (outcome.state !== "upgraded" && outcome.state !== "rolled_back") {
        problems.push(`the upgrade ended ${outcome.state ?? "without an outcome"}`);
      } else {
        notes.push(
          outcome.state === "upgraded" ? "upgraded" : `rolled_back (${outcome.reason ?? "no reason"})`,
        );
      }

      // The settled state: one deployment active, one process of the owner left.
      const active = await waitFor(
        async () => {
          const dseqs = await activeDeployments(devnet, owner);
          return dseqs.length === 1 ? dseqs : undefined;
        },
        120_000,
        "exactly one active deployment of the owner",
      ).catch(async () => activeDeployments(devnet, owner));
      if (active.length !== 1) {
        problems.push(`active deployments on chain: ${active.join(", ") || "none"} (expected one)`);
      }
      const running = await untilOneProcess(devnet, owner, 60_000);
      if (running.length !== 1) {
        problems.push(`agent processes of this owner: ${running.map((p) => p.dseq).join(", ") || "none"}`);
      }
      const leaderUri = running[0]?.uri;
      if (!leaderUri) throw new Error("no agent process of this owner serves HTTP");
      const status = await waitFor(
        async () => {
          const answer = await remoteStatus(leaderUri).catch(() => undefined);
          return answer?.leadership?.state === "leading" && answer.state.startsWith("active")
            ? answer
            : undefined;
        },
        60_000,
        `the instance at ${leaderUri} to lead`,
      );
      const generation = status.leadership!.generation;
      // Exactly one leader: every address any instance of this agent served, asked again.
      const all = await statuses([
        oldUri,
        leaderUri,
        ...ownProcesses(devnet, owner).flatMap((p) => p.uri ?? []),
      ]);
      const leaders = [...all].filter(([, s]) => leadershipOfStatus(s)?.state === "leading");
      if (leaders.length !== 1) {
        problems.push(`instances that lead: ${leaders.map(([uri]) => uri).join(", ") || "none"}`);
      }
      if (status.dseq !== active[0]) {
        problems.push(`the leader reports dseq ${status.dseq}, the active deployment is ${active[0]}`);
      }
      const heartbeat = await latestOwnHeartbeat(
        [devnet.nostr!.relay],
        agent.keys.identity.nostrPubkey,
        quiet,
      );
      if (heartbeat?.generation !== generation) {
        problems.push(
          `the newest heartbeat says generation ${heartbeat?.generation}, the leader ${generation}`,
        );
      }
      notes.push(
        `one leader g${generation} at dseq ${status.dseq} (${status.dseq === oldDseq ? "old" : "new"})`,
      );
      // The end state the leader reports agrees with the image it runs.
      const expectedImage = outcome.state === "upgraded" ? TO : FROM;
      if (status.upgrade?.state !== outcome.state) {
        problems.push(
          `the leader reports the upgrade ${status.upgrade?.state}, --wait said ${outcome.state}`,
        );
      }
      if (status.image !== expectedImage) {
        problems.push(`the leader runs ${status.image} after ${outcome.state} (expected ${expectedImage})`);
      }
      if (!(await hasEvent(`ws://${leaderUri}`, noteId))) {
        problems.push("the event published before the upgrade is not on the leader's relay");
      } else if (lateNoteId && !(await hasEvent(`ws://${leaderUri}`, lateNoteId))) {
        problems.push("the event published after the canary's copy is not on the leader's relay");
      } else {
        notes.push(lateNoteId ? "relay events kept (2)" : "relay event kept");
      }
      // The kill happened where the row says: the provider restarted the killed side's process.
      const killedOld = row.side === "old leader" || row.side === "standby";
      const restartedKilled = [...restarts.byDseq].some(
        ([dseq, count]) => count > 0 && (dseq === oldDseq) === killedOld,
      );
      notes.push(`provider restarts ${restarts.total()}`);
      if (!restartedKilled) {
        problems.push(
          `the ${row.side}'s process was never restarted: the kill at ${stepOf(row)} did not happen`,
        );
      }
    } catch (error) {
      problems.push((error as Error).message);
    } finally {
      progress(problems.length === 0 ? "ok" : `FAIL: ${problems.join("; ")}`);
      restarts.stop();
    }
    return {
      cells: cellsOf(row),
      ok: problems.length === 0,
      outcome: [...notes, ...problems.map((p) => `PROBLEM: ${p}`)].join("; "),
      ms: Date.now() - started,
    };
  }

  it(
    "ends with one leader, one active deployment and the relay's events after a SIGKILL at each step",
    async () => {
      const wallStart = Date.now();
      // Rows run side by side (each is its own agent), two at a time on a small machine.
      const concurrency = Number(process.env.AGENT_UPGRADE_CRASH_CONCURRENCY ?? 2);
      const outcomes = await runRows(agents, concurrency, runRow);
      console.log(
        formatMatrixTable(
          "upgrade crash rows",
          [
            ["side", 10],
            ["step", 19],
            ["checks", 8],
          ],
          outcomes,
          Date.now() - wallStart,
        ),
      );
      failed = outcomes.some((o) => !o.ok);
      expect(outcomes.flatMap((o, i) => (o.ok ? [] : [`${selected[i]!.name}: ${o.outcome}`]))).toEqual([]);
    },
    FULL ? 2_400_000 : 900_000,
  );
});
