import { fromPromise } from "xstate";
import { EffectError } from "../domain/index.js";
import type {
  KeyActivated,
  RollbackInput,
  RotationStepInput,
  StepDone,
} from "../machines/keys/keys.actors.js";
import type {
  CloseDeploymentsInput,
  GenerateSdlInput,
  GenerateSdlOutput,
} from "../machines/lease/lease.actors.js";
import type { MemberWorld } from "./member-world.js";
import { createSimulatedEffects, type SimulatedEffectSettings } from "./simulated-effects.js";
import type { SimulationClock } from "./simulation-clock.js";

/** A member's Akash key at `index`: the address that owns the deployments made while it is primary. */
export const akashAddress = (agentId: string, index: number) => `akash1${agentId}key${index}`;

/** What the simulated keystore holds: the primary index of the Akash key (owner of new deployments). */
export interface SimulatedKeystore {
  agentId: string;
  akashIndex: number;
  /** Open deployments of a revoked key that its revocation closed (should be none: the move drained it). */
  sweptByRevoke: number;
}

/**
 * The lease, health and key-rotation effects of one family member: the market simulator's effects
 * (whose chain calls fail while an RPC outage lasts, see MemberWorld), deployments made by the
 * current Akash key, and the key rotation's steps as the chain sees them: the Akash key's steps are
 * transactions (a grant, a revoke) that wait a block and fail while the chain is down; the payment
 * key's are on Cronos, the identity and encryption keys' off chain (they take effect at once).
 */
export function createEnduranceEffects(
  world: MemberWorld,
  clock: SimulationClock,
  settings: SimulatedEffectSettings,
  keystore: SimulatedKeystore,
) {
  const base = createSimulatedEffects(world, clock, settings);
  const txMs = world.market.params.txMs;
  const after = <T>(ms: number, settle: () => T, signal: AbortSignal) =>
    clock.when(clock.now() + ms, settle, signal);
  const onAkashChain =
    <T>(name: string, settle: () => T) =>
    () => {
      if (name === "akash" && world.chainDown()) {
        throw new EffectError(
          "retryable",
          "the Akash RPC and gRPC endpoints did not answer (simulated outage)",
        );
      }
      return settle();
    };
  const stepMs = (name: string) => (name === "akash" ? txMs : 0);
  return {
    lease: {
      ...base.lease,
      generateSdl: fromPromise<GenerateSdlOutput, GenerateSdlInput>(({ input, signal }) =>
        after(
          0,
          () => {
            const dseq = world.allocateDseq();
            const owner = akashAddress(keystore.agentId, keystore.akashIndex);
            world.noteOwner(dseq, owner);
            return {
              dseq,
              manifestVersion: `sim-${input.resources.cpuUnits}-${input.resources.memoryGi}-${input.resources.storageGi}`,
              resources: input.resources,
              maxPriceUact: settings.maxPriceUact,
              owner,
            };
          },
          signal,
        ),
      ),
      closeDeployments: fromPromise<void, CloseDeploymentsInput>(({ input, signal }) =>
        after(
          txMs,
          () => {
            for (const dseq of input.dseqs) world.closeDeploymentTx(dseq);
          },
          signal,
        ),
      ),
    },
    health: base.health,
    keys: {
      waitFor: base.lease.waitFor,
      waitUntil: base.lease.waitUntil,
      prepareNextKey: fromPromise<StepDone, RotationStepInput>(({ input, signal }) =>
        after(
          stepMs(input.name),
          onAkashChain(input.name, () => ({ at: clock.now() })),
          signal,
        ),
      ),
      activateNextKey: fromPromise<KeyActivated, RotationStepInput>(({ input, signal }) =>
        after(
          0,
          () => {
            if (input.name !== "akash") return { at: clock.now() };
            keystore.akashIndex = input.toIndex;
            return {
              at: clock.now(),
              move: {
                owner: akashAddress(keystore.agentId, input.toIndex),
                fromOwner: akashAddress(keystore.agentId, input.fromIndex),
              },
            };
          },
          signal,
        ),
      ),
      revokeOldKey: fromPromise<StepDone, RotationStepInput>(({ input, signal }) =>
        after(
          stepMs(input.name),
          onAkashChain(input.name, () => {
            if (input.name === "akash") {
              for (const dseq of world.openOwnedBy(akashAddress(keystore.agentId, input.fromIndex))) {
                world.closeDeployment(dseq);
                keystore.sweptByRevoke++;
              }
            }
            return { at: clock.now() };
          }),
          signal,
        ),
      ),
      rollbackRotation: fromPromise<StepDone, RollbackInput>(({ input, signal }) =>
        after(
          stepMs(input.name),
          () => {
            if (input.name === "akash" && input.failedPhase === "activating")
              keystore.akashIndex = input.fromIndex;
            return { at: clock.now() };
          },
          signal,
        ),
      ),
    },
  };
}
