import { fromCallback, type SimulatedClock } from "xstate";
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
import { type RecordedActors, withActors } from "./recorded-actors.js";
import { effectNames } from "./successful-effects.js";

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
