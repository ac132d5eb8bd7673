import { EffectError, toEffectFailure } from "../domain/index.js";
import type {
  KeyActivated,
  RollbackInput,
  RotationStepInput,
  StepDone,
} from "../machines/keys/keys.actors.js";
import { abortablePause } from "../services/abortable-pause.js";
import type { AkashAccount, AkashAccounts } from "../services/akash/index.js";
import { AgentKeys, rotateKeyIndex } from "../services/keys/index.js";
import type { JsonValue } from "../services/store/index.js";
import type { AgentServices } from "./agent-services.js";
import { recordEscrowRefund } from "./escrow-refunds.js";
import { pollUntil } from "./poll-until.js";

/**
 * uakt the old account keeps when the next one is funded: the fees of what it still signs (closing
 * its deployment, burning its ACT refund, the sweep). What is left of it is swept at the end.
 */
export const OLD_ACCOUNT_RESERVE_UAKT = 100_000n;
/** uakt the sweep leaves for its own fee (what fees cannot move stays with the old account). */
export const SWEEP_FEE_RESERVE_UAKT = 20_000n;
/** How long the sweep keeps trying through retryable failures before the step fails. */
const SWEEP_WINDOW_MS = 300_000;

/** The sweep's own record: the old account's uakt before its ACT refund was burnt (to see the burn settle). */
const BURN_WAIT_KIND = "akash_sweep_burn";

export type AkashRotationServices = Pick<
  AgentServices,
  "akashAccounts" | "selfHosting" | "keystore" | "store" | "logger" | "now"
> & {
  keys: AgentKeys;
  settings: Pick<AgentServices["settings"], "pollIntervalMs" | "mintSettleTimeoutMs">;
};

/**
 * Rotation of the Akash key (DESIGN §12): the key owns the agent's deployment and its escrow, so the
 * move to the next index is a self-migration into a deployment the next key owns, followed by
 * sweeping the old account.
 * - prepare: only an agent that runs inside its own lease moves itself; refused before anything
 *   changed otherwise. The next account is connected (a reachable node) but nothing is sent yet: the
 *   serving lease may still need the old account's AKT for top-ups during the grace period.
 * - activate: fund the next account from the old one (a bank send of all but a fee reserve,
 *   idempotent), make the next index primary in the keystore, and sign as it from now on. The keys
 *   machine then asks the lease to move (the activation package carries this keystore, so the next
 *   leader's primary key is the new one); the new leader closes the old deployment with the old key.
 * - revoke (on the new leader): close whatever the old key still owns (its escrow comes back as ACT),
 *   burn that ACT back to AKT (ACT is not transferable) and wait for the burn to settle, then send the
 *   old account's AKT, minus the fee, to the new one.
 * Every transaction has its own idempotency key under the step's and goes through the crash-safe
 * executor of the account that signs it, so a crash at any point resumes without a second send.
 */
export function createAkashKeyRotation(services: AkashRotationServices) {
  const current = () => services.keys;
  const log = services.logger.child({ actor: "keys", key: "akash" });

  const accounts = (): AkashAccounts => {
    const { akashAccounts, selfHosting } = services;
    if (!selfHosting || !akashAccounts) {
      throw new EffectError(
        "fatal",
        "the akash key stays: it owns the deployment, so it rotates by a self-migration into a deployment the next key owns, and only an agent that runs inside its own lease (AGENT_ROLE=deployed, after a handover) moves itself; this process manages a lease it does not live in",
      );
    }
    if (!services.keystore.durable) {
      throw new EffectError(
        "fatal",
        `the akash key stays: the keystore (${services.keystore.describe()}) cannot save a rotated key index`,
      );
    }
    return akashAccounts;
  };

  const addressAt = (index: number) => current().akashKey(index).address;

  /** Submits through `account` and turns the executor's answer into a log line. */
  const send = async (account: AkashAccount, key: string, toAddress: string, amountUakt: bigint) => {
    const result = await account.chain.submit({
      key,
      messages: [{ type: "send", toAddress, amountUakt: amountUakt.toString() }],
    });
    if (!result.alreadyDone) log.info({ key, toAddress, amountUakt: amountUakt.toString() }, "sent AKT");
    return result;
  };

  /** The step's work again and again through retryable failures, until it is done or the window closes. */
  const withRetries = async <T>(step: string, signal: AbortSignal, work: () => Promise<T>): Promise<T> => {
    const deadline = services.now() + SWEEP_WINDOW_MS;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await work();
      } catch (error) {
        const failure = toEffectFailure(error);
        if (failure.kind === "fatal" || services.now() > deadline || signal.aborted) throw error;
        log.warn({ step, attempt, reason: failure.message }, "akash key rotation: trying the step again");
        await abortablePause(Math.min(5_000, 500 * attempt), signal);
      }
    }
  };

  return {
    async prepare(input: RotationStepInput): Promise<StepDone> {
      const akashAccounts = accounts();
      const next = await akashAccounts.account(input.toIndex);
      log.info(
        { from: akashAccounts.current.chain.owner, to: next.chain.owner },
        "rotating the akash key: the agent will move into a deployment of the next key",
      );
      return { at: services.now() };
    },

    async activate(input: RotationStepInput): Promise<KeyActivated> {
      const akashAccounts = accounts();
      const fromOwner = addressAt(input.fromIndex);
      const owner = addressAt(input.toIndex);
      const contents = await services.keystore.load();
      if (contents.keyIndices.akash < input.toIndex) {
        const old = await akashAccounts.account(input.fromIndex);
        const fundKey = `${input.key}:fund`;
        if (services.store.intents.get(fundKey)?.state !== "done") {
          const { uakt } = await old.chain.balances();
          const amount = BigInt(uakt) - OLD_ACCOUNT_RESERVE_UAKT;
          if (amount <= 0n) {
            throw new EffectError(
              "fatal",
              `the akash account ${fromOwner} holds ${uakt} uakt, not more than the ${OLD_ACCOUNT_RESERVE_UAKT} it keeps for its last fees: nothing to fund the next key's deployment with`,
            );
          }
          await send(old, fundKey, owner, amount);
        }
        const updated = await rotateKeyIndex(
          services.keystore,
          "akash",
          input.toIndex,
          new Date(services.now()),
        );
        services.keys = AgentKeys.fromContents(updated);
      }
      await akashAccounts.use(input.toIndex);
      log.info({ owner, fromOwner }, "the next akash key is primary: moving into a deployment it owns");
      return { at: services.now(), move: { owner, fromOwner } };
    },

    async revoke(input: RotationStepInput, signal: AbortSignal): Promise<StepDone> {
      const akashAccounts = accounts();
      const old = await akashAccounts.account(input.fromIndex);
      const to = addressAt(input.toIndex);
      await withRetries("close", signal, async () => {
        for (const deployment of await old.chain.activeDeployments()) {
          const key = `${input.key}:close:${deployment.dseq}`;
          recordEscrowRefund(services.store, {
            key,
            result: await old.chain.closeDeployment({ key, dseq: deployment.dseq }),
          });
          log.info({ dseq: deployment.dseq }, "closed a deployment of the old akash key");
        }
      });
      await withRetries("burn", signal, () => burnActRefund(old, `${input.key}:burn`, signal));
      const swept = await withRetries("sweep", signal, async () => {
        const sweepKey = `${input.key}:sweep`;
        if (services.store.intents.get(sweepKey)?.state === "done") return null;
        const { uakt } = await old.chain.balances();
        const amount = BigInt(uakt) - SWEEP_FEE_RESERVE_UAKT;
        if (amount <= 0n) return null;
        await send(old, sweepKey, to, amount);
        return amount;
      });
      log.info(
        { from: old.chain.owner, to, sweptUakt: swept?.toString() ?? "0" },
        "swept the old akash account: the rotation is complete",
      );
      return { at: services.now() };
    },

    async rollback(input: RollbackInput): Promise<StepDone> {
      if (input.failedPhase !== "activating") return { at: services.now() };
      // The next index may already be primary: the old key stays primary, and the AKT sent to the
      // next account stays there for the next attempt (its send is done under the same key).
      const contents = await services.keystore.load();
      if (contents.keyIndices.akash === input.toIndex) {
        const updated = await rotateKeyIndex(
          services.keystore,
          "akash",
          input.fromIndex,
          new Date(services.now()),
        );
        services.keys = AgentKeys.fromContents(updated);
      }
      await services.akashAccounts?.use(input.fromIndex);
      log.warn({ index: input.fromIndex }, "akash key rotation rolled back: the old key stays primary");
      return { at: services.now() };
    },
  };

  /**
   * Burns the old account's ACT (its escrow refund) back to AKT, once, and waits for the BME epoch
   * to pay the AKT out. The uakt balance before the burn is recorded first, so a restart waits for
   * the same settlement instead of burning again.
   */
  async function burnActRefund(old: AkashAccount, key: string, signal: AbortSignal): Promise<void> {
    const { intents } = services.store;
    const waitKey = `${key}:settled`;
    const waiting = intents.get(waitKey);
    if (waiting?.state === "done") return;
    let recorded = waiting?.payload as { uaktBefore: string; uact: string } | undefined;
    if (!recorded) {
      const { uakt, uact } = await old.chain.balances();
      if (BigInt(uact) === 0n) return;
      recorded = { uaktBefore: uakt, uact };
      intents.record({ key: waitKey, kind: BURN_WAIT_KIND, payload: recorded satisfies JsonValue });
    }
    // Done already when a restart finds it in a block: the executor answers from its record.
    const burn = await old.chain.submit({ key, messages: [{ type: "burnAct", amountUact: recorded.uact }] });
    if (!burn.alreadyDone) log.info({ uact: recorded.uact }, "burnt the old account's ACT back to AKT");
    const before = BigInt(recorded.uaktBefore);
    const settled = await pollUntil({
      read: () => old.chain.balances(),
      done: (balances) => BigInt(balances.uakt) > before,
      intervalMs: services.settings.pollIntervalMs,
      deadline: services.now() + services.settings.mintSettleTimeoutMs,
      now: services.now,
      signal,
    });
    if (BigInt(settled.uakt) <= before) {
      log.warn(
        { uaktBefore: before.toString(), uakt: settled.uakt },
        "the burnt ACT has not come back as AKT in time: sweeping what is there",
      );
    }
    intents.complete(waitKey);
  }
}
