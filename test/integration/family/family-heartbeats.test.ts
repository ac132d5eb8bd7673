import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assign, createActor, setup } from "xstate";
import {
  type ChildHeartbeatEvent,
  createFamilyHeartbeatsActor,
  type FamilyChildrenEvent,
  type FamilyHeartbeatsInput,
  type WatchedChild,
} from "../../../src/actors/family-heartbeats.js";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { createLogger } from "../../../src/logging/index.js";
import { AgentKeys, EnvKeystore, generateMnemonic } from "../../../src/services/keys/index.js";
import { createAgentAnnouncer, type Heartbeat, nostrSignerOf } from "../../../src/services/nostr/index.js";
import { startTestDevnet, waitFor } from "../../support/devnet.js";

const quiet = createLogger({ level: "silent", json: true });

/** A parent that only records the children's heartbeats it is sent, and forwards family changes. */
function parentOf(input: FamilyHeartbeatsInput) {
  return setup({
    types: {
      context: {} as { heard: ChildHeartbeatEvent[] },
      events: {} as ChildHeartbeatEvent | FamilyChildrenEvent,
    },
    actors: { watchFamilyHeartbeats: createFamilyHeartbeatsActor({ logger: quiet, resubscribeMs: 200 }) },
  }).createMachine({
    context: { heard: [] },
    invoke: { src: "watchFamilyHeartbeats", id: "familyHeartbeats", systemId: "familyHeartbeats", input },
    on: {
      "CHILD.HEARTBEAT": { actions: assign({ heard: ({ context, event }) => [...context.heard, event] }) },
      "FAMILY.CHILDREN": {
        actions: ({ event, system }) => system.get("familyHeartbeats")?.send(event),
      },
    },
  });
}

async function member() {
  const keys = AgentKeys.fromContents(
    await new EnvKeystore({ env: { AGENT_MNEMONIC: generateMnemonic().reveal() } }).load(),
  );
  return {
    keys,
    watched: { childId: keys.identity.agentId, npub: keys.identity.npub } satisfies WatchedChild,
  };
}

describe("a parent watches its children's heartbeats on the devnet's relay", () => {
  let devnet: DevnetHandle;
  let clock = Math.floor(Date.now() / 1000) * 1000;

  beforeAll(async () => {
    devnet = await startTestDevnet({ nostr: true, providers: 1 });
  }, 60_000);
  afterAll(async () => {
    await devnet?.stop();
  });

  /** Publishes a heartbeat signed by `keys`, one second after the previous one (replaceable events). */
  const beat = async (keys: AgentKeys, fields: Partial<Heartbeat> = {}) => {
    clock += 1_000;
    const at = clock;
    const announcer = createAgentAnnouncer({
      relays: [devnet.nostr!.relay],
      signer: () => nostrSignerOf(keys.nostrKey()),
      timeoutMs: 5_000,
      now: () => at,
    });
    const heartbeat: Heartbeat = {
      agentId: keys.identity.agentId,
      generation: 1,
      leaseState: "active.monitoring",
      provider: "akash1provider",
      runwayDays: 2.5,
      relayUri: "ws://127.0.0.1:1",
      at: new Date(at).toISOString(),
      ...fields,
    };
    await announcer.publishHeartbeat(heartbeat);
    return heartbeat;
  };

  it("sends CHILD.HEARTBEAT for its children only, follows a new child, and subscribes again after the relay drops", async () => {
    const first = await member();
    const second = await member();
    const stranger = await member();
    const stored = await beat(first.keys, { generation: 1, runwayDays: 3 });

    const parent = createActor(parentOf({ relays: [devnet.nostr!.relay], children: [first.watched] }));
    parent.start();
    const heard = () => parent.getSnapshot().context.heard;
    try {
      // The stored heartbeat first (the relay keeps each member's latest one).
      await waitFor(() => (heard().length >= 1 ? true : undefined), 10_000, "the stored heartbeat");
      expect(heard()[0]).toEqual({
        type: "CHILD.HEARTBEAT",
        childId: first.watched.childId,
        at: Date.parse(stored.at),
        generation: 1,
        leaseState: "active.monitoring",
        provider: "akash1provider",
        runwayDays: 3,
      });

      // A stranger's heartbeat, a second child's (not watched yet), and one signed by the first child's
      // key that claims to be another agent: none reaches the parent.
      await beat(stranger.keys);
      await beat(second.keys, { generation: 4 });
      await beat(first.keys, { agentId: second.watched.childId });
      const live = await beat(first.keys, {
        generation: 2,
        leaseState: "active.migrating",
        runwayDays: null,
      });
      await waitFor(() => (heard().length >= 2 ? true : undefined), 10_000, "the live heartbeat");
      expect(heard()[1]).toMatchObject({
        childId: first.watched.childId,
        at: Date.parse(live.at),
        generation: 2,
        runwayDays: null,
      });

      // The family grows: the second child's stored heartbeat arrives.
      parent.send({ type: "FAMILY.CHILDREN", children: [first.watched, second.watched] });
      await waitFor(
        () => (heard().some((event) => event.childId === second.watched.childId) ? true : undefined),
        10_000,
        "the second child's heartbeat",
      );
      expect(heard().find((event) => event.childId === second.watched.childId)?.generation).toBe(4);
      // The first child's latest one was not sent again by the new subscription.
      expect(heard().filter((event) => event.childId === first.watched.childId)).toHaveLength(2);

      // The relay goes down and comes back: heartbeats published after that still arrive.
      await devnet.nostrControl!.setRelayDown();
      await new Promise((resolve) => setTimeout(resolve, 500));
      await devnet.nostrControl!.setRelayUp();
      const afterDrop = await waitFor(
        async () => {
          const sent = await beat(second.keys, { generation: 5 });
          await new Promise((resolve) => setTimeout(resolve, 300));
          return heard().some((event) => event.at === Date.parse(sent.at)) ? sent : undefined;
        },
        15_000,
        "a heartbeat after the relay came back",
      );
      expect(afterDrop.generation).toBe(5);
      expect(heard().every((event) => event.childId !== stranger.watched.childId)).toBe(true);
      // Each heartbeat once.
      expect(new Set(heard().map((event) => event.at)).size).toBe(heard().length);
    } finally {
      parent.stop();
    }
  }, 60_000);
});
