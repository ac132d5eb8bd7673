import { createActor, fromCallback, SimulatedClock } from "xstate";
import type { AlertOutboxEvent } from "../../src/machines/agent/agent.actors.js";
import {
  type AgentMachine,
  type AgentSettings,
  type AlertToDeliver,
  agentMachine,
  healthMachine,
  keyRotationMachine,
  leaseMachine,
  reproductionMachine,
  treasuryMachine,
} from "../../src/machines/index.js";
import { clockWaits } from "./clock-waits.js";
import {
  healthSettings,
  keySettings,
  leaseInput,
  leaseSettings,
  reproductionSettings,
  treasurySettings,
} from "./machine-fixtures.js";
import { RecordedActors, settled, withActors } from "./recorded-actors.js";
import { effectNames, successfulOutput } from "./successful-effects.js";

/** Agent settings for tree tests: every child active, reproduction included. */
export const treeSettings: AgentSettings = {
  resources: leaseInput.resources,
  lease: leaseSettings,
  health: healthSettings,
  keys: keySettings,
  treasury: { ...treasurySettings, dailySpendCapUsd: 1_000 },
  reproduction: reproductionSettings,
  minimumFundingUakt: "5000000",
  shutdownTimeoutMs: 60_000,
};

export interface TreeWorld {
  recorded: RecordedActors;
  clock: SimulatedClock;
  /** Alerts the agent handed to its outbox. */
  alerts: AlertToDeliver[];
}

/**
 * The real agent machine with its five real children (and the reproduction machine's child lease),
 * every effect scripted through `world.recorded` and every wait on `world.clock`.
 */
export function agentTree(world: TreeWorld): AgentMachine {
  const { recorded } = world;
  const waits = clockWaits(world.clock, world.recorded);
  const lease = withActors(leaseMachine, {
    ...recorded.scriptedAll(effectNames.lease),
    waitFor: waits.waitFor,
  });
  return withActors(agentMachine, {
    ...recorded.scriptedAll(effectNames.agent),
    alertOutbox: fromCallback<AlertOutboxEvent>(({ receive }) => {
      receive((event) => {
        world.alerts.push(event.alert);
      });
    }),
    waitFor: waits.waitFor,
    lease,
    health: withActors(healthMachine, { ...recorded.scriptedAll(effectNames.health), ...waits }),
    keys: withActors(keyRotationMachine, {
      ...recorded.scriptedAll(effectNames.keys),
      waitUntil: waits.waitUntil,
    }),
    treasury: withActors(treasuryMachine, { ...recorded.scriptedAll(effectNames.treasury), ...waits }),
    reproduction: withActors(reproductionMachine, {
      ...recorded.scriptedAll(effectNames.reproduction),
      ...waits,
      childLease: lease,
    }),
  });
}

/**
 * Runs a fresh agent tree with every effect succeeding (newest first) until nothing runs but its
 * waits: booted, funded, lease active and checked healthy. Returns its persisted snapshot as JSON.
 */
export async function quietTreeSnapshot(startAt: number): Promise<unknown> {
  const clock = new SimulatedClock();
  clock.set(startAt);
  const world: TreeWorld = { recorded: new RecordedActors(), clock, alerts: [] };
  const actor = createActor(agentTree(world), { input: { settings: treeSettings }, clock });
  actor.start();
  try {
    for (let steps = 0; ; steps += 1) {
      await settled();
      const next = world.recorded.running(true).at(-1);
      if (!next) break;
      if (steps > 500) throw new Error("the agent tree did not quieten");
      world.recorded.settle(next, { done: successfulOutput(next.src, next.input, clock.now()) });
    }
    return JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
  } finally {
    actor.stop();
  }
}
