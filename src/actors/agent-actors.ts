import { fromPromise } from "xstate";
import type { AwaitFundingInput, AwaitFundingOutput } from "../machines/agent/agent.actors.js";
import type { LoadedIdentity } from "../machines/agent/agent.types.js";
import type { KeyName } from "../machines/keys/keys.types.js";
import type { ChildRecord } from "../machines/reproduction/reproduction.types.js";
import { type KeyKind, lastRotatedAt } from "../services/keys/index.js";
import type { AgentServices } from "./agent-services.js";
import type { AlertChannels } from "./alert-channels.js";
import { createAlertOutbox, type StepWrites } from "./alert-outbox.js";
import { bootstrapFromCro } from "./cro-bootstrap.js";
import { createHeartbeatActor } from "./heartbeat-actor.js";
import { pollUntil } from "./poll-until.js";

/** How often the funding wait repeats the addresses to fund. */
const FUNDING_REMINDER_MS = 30_000;

/** Children the reproduction actor watches after a restart (born ones still being deployed are its cycle's). */
const LIVING_CHILD_STATES = new Set(["active", "silent", "resurrecting", "retiring"]);

export function createAgentActors(services: AgentServices, channels: AlertChannels, stepWrites?: StepWrites) {
  const { chain, store, keystore, logger, settings } = services;
  const log = logger.child({ actor: "agent" });

  return {
    loadIdentity: fromPromise<LoadedIdentity, void>(async () => {
      const contents = await keystore.load();
      const { identity } = services.keys;
      // Indices and rotation times from the keystore, where a rotation saves both in one write.
      const rotated = (kind: KeyKind) => ({
        index: contents.keyIndices[kind],
        rotatedAt: lastRotatedAt(contents, kind),
      });
      const keyIndices: Record<KeyName, { index: number; rotatedAt: number }> = {
        akash: rotated("akash"),
        payment: rotated("evm"),
        identity: rotated("nostr"),
        encryption: rotated("encryption"),
      };
      const children: ChildRecord[] = store.children
        .list()
        .flatMap((child) =>
          LIVING_CHILD_STATES.has(child.state) && child.index !== null ? [{ child, index: child.index }] : [],
        )
        .map(({ child, index }) => ({
          childId: child.id,
          index,
          akash: child.addresses.akash ?? "",
          npub: child.addresses.nostr ?? "",
          role: child.role === "specialized" ? "specialized" : "replica",
          region: child.region,
          dseq: child.dseq,
          provider: child.provider,
          generation: child.generation,
          activatedAt: child.createdAt,
          lastHeartbeatAt: child.lastHeartbeatAt ?? null,
          silent: child.state === "silent",
          lastResurrectionAt: null,
          resurrections: 0,
        }));
      log.info({ agentId: identity.agentId, akash: identity.akash }, "identity loaded");
      return {
        identity: {
          agentId: identity.agentId,
          akash: identity.akash,
          evm: identity.evm,
          npub: identity.npub,
          nostrPubkey: identity.nostrPubkey,
        },
        keys: keyIndices,
        children,
        nextChildIndex: store.children.nextIndex(),
      };
    }),

    awaitFunding: fromPromise<AwaitFundingOutput, AwaitFundingInput>(async ({ input, signal }) => {
      const minimum = BigInt(input.minimumUakt);
      const first = await chain.balances(input.akash);
      const cronos = services.cronos;
      if (BigInt(first.uakt) < minimum && services.faucet && cronos?.fundAkash !== false) {
        // Enough for a few deployment deposits (a move holds two at once) and their fees.
        const grant = (minimum * 4n).toString();
        log.info({ address: input.akash, uakt: grant }, "devnet: funding the agent from the faucet");
        await services.faucet(input.akash, grant);
      }
      if (cronos && BigInt(first.uakt) < minimum) {
        await bootstrapFromCro({
          // The devnet's faucet just funded the Akash account: only the EVM address is funded here.
          swap: !(services.faucet && cronos.fundAkash),
          cronos,
          key: `${input.akash}:bootstrap`,
          akash: input.akash,
          minimumUakt: minimum,
          chain,
          store,
          logger: log,
          now: services.now,
          aktUsdFallback: settings.aktUsdFallback,
          signal,
        });
      }
      let lastReminder = 0;
      const balances = await pollUntil({
        signal,
        intervalMs: settings.pollIntervalMs,
        deadline: Number.POSITIVE_INFINITY,
        now: services.now,
        read: async () => {
          const current = await chain.balances(input.akash);
          if (BigInt(current.uakt) < minimum && services.now() - lastReminder >= FUNDING_REMINDER_MS) {
            lastReminder = services.now();
            log.warn(
              { address: input.akash, balanceUakt: current.uakt, neededUakt: input.minimumUakt },
              "waiting for funds: send AKT to the agent's address",
            );
          }
          return current;
        },
        done: (current) => BigInt(current.uakt) >= minimum,
      });
      log.info({ address: input.akash, balanceUakt: balances.uakt }, "funded");
      return { uakt: balances.uakt, at: services.now() };
    }),

    heartbeat: createHeartbeatActor(services),

    alertOutbox: createAlertOutbox({
      store,
      channels,
      logger,
      now: services.now,
      agentId: services.keys.identity.agentId,
      ...(stepWrites ? { stepWrites } : {}),
    }),
  };
}
