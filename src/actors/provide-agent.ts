import {
  agentMachine,
  healthMachine,
  keyRotationMachine,
  leaseMachine,
  reproductionMachine,
  treasuryMachine,
} from "../machines/index.js";
import { siblingWatchMachine } from "../machines/sibling-watch/sibling-watch.machine.js";
import { createAgentActors } from "./agent-actors.js";
import type { AgentServices } from "./agent-services.js";
import type { AlertChannels } from "./alert-channels.js";
import type { StepWrites } from "./alert-outbox.js";
import { createHealthActors } from "./health-actors.js";
import { createKeyRotationActors } from "./keys-actors.js";
import { createLeaseActors } from "./lease-actors.js";
import { createReproductionActors, type ReproductionActorOptions } from "./reproduction-actors.js";
import { createSiblingActors } from "./sibling-actors.js";
import { createTreasuryActors } from "./treasury-actors.js";
import { createWaitActors } from "./wait-actors.js";

export interface ProvideAgentOptions {
  channels: AlertChannels;
  feeReserveUakt: string;
  /** Rules, gates and the heartbeat watch of the reproduction actors. */
  reproduction: ReproductionActorOptions;
  /**
   * Writes an alert's outbox row with the snapshot of the step that raised it and starts delivery
   * after that commit: pass the persister's `stageWithNextWrite`. Without it alerts are written and
   * sent at once (a host that persists nothing).
   */
  stepWrites?: StepWrites;
}

/**
 * The agent machine with every actor of every machine bound to the real services. Child machines
 * are provided one by one: `provide` on the root does not reach into the machines it invokes.
 */
export function provideAgentMachine(services: AgentServices, options: ProvideAgentOptions) {
  const wait = createWaitActors(services.now);
  const lease = leaseMachine.provide({ actors: { ...createLeaseActors(services), ...wait } });
  return agentMachine.provide({
    actors: {
      ...createAgentActors(services, options.channels, options.stepWrites),
      ...wait,
      lease,
      health: healthMachine.provide({ actors: { ...createHealthActors(services), ...wait } }),
      keys: keyRotationMachine.provide({ actors: { ...createKeyRotationActors(services), ...wait } }),
      treasury: treasuryMachine.provide({
        actors: { ...createTreasuryActors(services, { feeReserveUakt: options.feeReserveUakt }), ...wait },
      }),
      reproduction: reproductionMachine.provide({
        actors: {
          ...createReproductionActors(services, options.reproduction),
          ...wait,
        },
      }),
      siblingWatch: siblingWatchMachine.provide({ actors: { ...createSiblingActors(services), ...wait } }),
    },
  });
}
