import { Writable } from "node:stream";
import { finalizeEvent } from "nostr-tools/pure";
import { Relay } from "nostr-tools/relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assign, createActor, fromPromise, setup } from "xstate";
import { createSiblingActors } from "../../../src/actors/sibling-actors.js";
import type { SiblingOperations } from "../../../src/actors/sibling-operations.js";
import { createWaitActors } from "../../../src/actors/wait-actors.js";
import { type NostrDevnet, startNostrDevnet } from "../../../src/devnet/nostr/nostr-devnet.js";
import { createLogger } from "../../../src/logging/index.js";
import type {
  ResurrectSiblingInput,
  ResurrectSiblingOutput,
} from "../../../src/machines/sibling-watch/sibling-watch.actors.js";
import type { SiblingWatchContext } from "../../../src/machines/sibling-watch/sibling-watch.context.js";
import type { SiblingRosterEvent } from "../../../src/machines/sibling-watch/sibling-watch.events.js";
import { siblingWatchMachine } from "../../../src/machines/sibling-watch/sibling-watch.machine.js";
import type { PublicRoster } from "../../../src/machines/sibling-watch/sibling-watch.types.js";
import { createRosterPublisher } from "../../../src/runtime/family-roster-publisher.js";
import {
  openRoster,
  type RosterMember,
  rosterDTag,
  rosterTemplate,
} from "../../../src/services/family/family-roster.js";
import { type RosterReader, readLatestRoster } from "../../../src/services/family/family-roster-relays.js";
import { generateArweaveJwk } from "../../../src/services/keys/arweave-key.js";
import { deriveChildMnemonic } from "../../../src/services/keys/child-mnemonic.js";
import {
  AgentKeys,
  EnvKeystore,
  generateMnemonic,
  type KeystoreBackend,
} from "../../../src/services/keys/index.js";
import { createAgentAnnouncer, type Heartbeat, nostrSignerOf } from "../../../src/services/nostr/index.js";
import { waitFor } from "../../support/devnet.js";

const keysOf = async (mnemonic: string) =>
  AgentKeys.fromContents(await new EnvKeystore({ env: { AGENT_MNEMONIC: mnemonic } }).load());

const readerOf = (child: AgentKeys, parent: AgentKeys): RosterReader => ({
  parentPubkey: parent.identity.nostrPubkey,
  ownPubkey: child.identity.nostrPubkey,
  ownPrivateKey: child.nostrKey().privateKey,
  ownAgentId: child.identity.agentId,
});

/** Everything a logger writes, kept to grep for secrets (no redaction list: nothing secret may reach it). */
function capturedLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger({ level: "trace", json: true, destination }) };
}

/**
 * DESIGN §13, life: the parent's family roster on the devnet's relay, with nostr-tools. Each living
 * child gets its own copy, signed by the parent and NIP-44 encrypted to it, carrying its siblings'
 * secrets (never its own); a stranger's or forged roster is ignored; the newest replaces the older.
 */
describe("the family roster through a relay", () => {
  let nostr: NostrDevnet;
  let relay: string;
  let parentMnemonic: string;
  let parent: AgentKeys;
  let children: AgentKeys[];
  let members: RosterMember[];
  const jwks = new Map<number, Awaited<ReturnType<typeof generateArweaveJwk>>>();
  let keystore: KeystoreBackend;

  beforeAll(async () => {
    nostr = await startNostrDevnet();
    relay = nostr.info.relay;
    parentMnemonic = generateMnemonic().reveal();
    parent = await keysOf(parentMnemonic);
    children = await Promise.all(
      [0, 1, 2].map((index) => keysOf(deriveChildMnemonic(parent.mnemonic(), index).reveal())),
    );
    members = children.map((child, index) => ({
      index,
      childId: child.identity.agentId,
      akash: child.identity.akash,
      npub: child.identity.npub,
      bornAt: Date.now() - 1_000,
      dseq: String(100 + index),
      provider: `akash1provider${index}`,
    }));
    for (const index of [1, 2]) jwks.set(index, await generateArweaveJwk());
    const env = new EnvKeystore({ env: { AGENT_MNEMONIC: parentMnemonic } });
    keystore = {
      durable: false,
      describe: () => "test",
      exists: async () => true,
      save: async () => undefined,
      load: async () => ({
        ...(await env.load()),
        childArweaveJwks: Object.fromEntries([...jwks].map(([index, jwk]) => [String(index), jwk])),
      }),
    };
  }, 60_000);

  afterAll(async () => {
    await nostr?.stop();
  });

  const publish = (of: RosterMember[]) =>
    createRosterPublisher({ keys: () => parent, keystore, relays: () => [relay], now: Date.now })(of);

  it("each child reads its own copy: the whole family, and only its siblings' secrets", async () => {
    await publish(members);
    const first = await readLatestRoster([relay], readerOf(children[0]!, parent));
    expect(first).not.toBeNull();
    expect(first!.roster.parent).toEqual({
      agentId: parent.identity.agentId,
      akash: parent.identity.akash,
      npub: parent.identity.npub,
    });
    expect(first!.roster.members).toEqual(members);
    expect([...first!.secrets.keys()].sort()).toEqual([members[1]!.childId, members[2]!.childId].sort());
    expect(first!.secrets.get(members[1]!.childId)?.mnemonic.reveal()).toBe(
      deriveChildMnemonic(parent.mnemonic(), 1).reveal(),
    );
    expect(first!.secrets.get(members[2]!.childId)?.arweaveJwk?.reveal()).toEqual(jwks.get(2)!.reveal());

    // Child 0 has no Arweave wallet in the parent's keystore: its siblings get its words and no wallet.
    const second = await readLatestRoster([relay], readerOf(children[1]!, parent));
    expect(second!.secrets.has(members[1]!.childId)).toBe(false);
    expect(second!.secrets.get(members[0]!.childId)?.mnemonic.reveal()).toBe(
      deriveChildMnemonic(parent.mnemonic(), 0).reveal(),
    );
    expect(second!.secrets.get(members[0]!.childId)?.arweaveJwk).toBeNull();
  });

  it("a copy opens only for its recipient; a stranger's or forged roster is ignored", async () => {
    const connection = await Relay.connect(relay);
    const stored = await new Promise<Parameters<typeof openRoster>[0][]>((resolve) => {
      const events: Parameters<typeof openRoster>[0][] = [];
      const sub = connection.subscribe(
        [{ kinds: [30078], "#d": [rosterDTag(children[0]!.identity.nostrPubkey)] }],
        {
          onevent: (event) => events.push(event),
          oneose: () => {
            sub.close();
            resolve(events);
          },
        },
      );
    });
    expect(stored.length).toBeGreaterThan(0);
    const copy = stored[0]!;
    // Nothing of the secrets is readable on the wire.
    expect(copy.content).not.toContain(deriveChildMnemonic(parent.mnemonic(), 1).reveal().split(" ")[0]!);
    expect(openRoster(copy, readerOf(children[0]!, parent))).not.toBeNull();
    // Another child cannot open it (nor would its own filter ask for it).
    expect(openRoster(copy, readerOf(children[1]!, parent))).toBeNull();
    // A forged one: the parent's pubkey on content the parent did not sign.
    expect(
      openRoster({ ...copy, content: `${copy.content.slice(0, -4)}AAAA` }, readerOf(children[0]!, parent)),
    ).toBeNull();

    // A stranger publishes a newer roster addressed to child 0, validly signed by itself.
    const stranger = await keysOf(generateMnemonic().reveal());
    const forgedSecrets = new Map([
      [members[1]!.childId, { mnemonic: stranger.mnemonic(), arweaveJwk: null }],
    ]);
    const template = rosterTemplate({
      roster: {
        parent: { agentId: "x", akash: "y", npub: parent.identity.npub },
        members,
        publishedAt: Date.now(),
      },
      recipient: { childId: members[0]!.childId, pubkey: children[0]!.identity.nostrPubkey },
      secrets: forgedSecrets,
      parentPrivateKey: stranger.nostrKey().privateKey,
      createdAtSeconds: Math.floor(Date.now() / 1000) + 60,
    });
    const strangers = finalizeEvent(template, stranger.nostrKey().privateKey.reveal());
    await connection.publish(strangers);
    connection.close();
    expect(openRoster(strangers, readerOf(children[0]!, parent))).toBeNull();
    const latest = await readLatestRoster([relay], readerOf(children[0]!, parent));
    expect(latest!.roster.parent.agentId).toBe(parent.identity.agentId);
    expect(latest!.secrets.get(members[1]!.childId)?.mnemonic.reveal()).toBe(
      deriveChildMnemonic(parent.mnemonic(), 1).reveal(),
    );
  });

  it("a child follows the newest roster live, public part only; no secret in its logs or snapshots", async () => {
    const watched = capturedLogger();
    const siblings: SiblingOperations = {
      rosterReader: () => readerOf(children[0]!, parent),
      resurrect: async () => {
        throw new Error("not in this test");
      },
    };
    const actors = createSiblingActors(
      { logger: watched.logger, now: Date.now, siblings },
      { resubscribeMs: 200 },
    );
    const host = setup({
      types: { context: {} as { rosters: SiblingRosterEvent[] }, events: {} as SiblingRosterEvent },
      actors: { followRoster: actors.followRoster },
    }).createMachine({
      context: { rosters: [] },
      invoke: {
        src: "followRoster",
        id: "roster",
        input: { relays: [relay], parentNpub: parent.identity.npub },
      },
      on: {
        "SIBLINGS.ROSTER": {
          actions: assign({ rosters: ({ context, event }) => [...context.rosters, event] }),
        },
      },
    });
    const actor = createActor(host).start();
    try {
      await waitFor(
        async () => (actor.getSnapshot().context.rosters.length > 0 ? true : undefined),
        10_000,
        "the stored roster",
      );
      // Child 2 is retired: the parent tells the others; the newest copy replaces the older.
      await publish(members.slice(0, 2));
      const latest = await waitFor(
        async () => {
          const last = actor.getSnapshot().context.rosters.at(-1);
          return last && last.roster.members.length === 2 ? last : undefined;
        },
        10_000,
        "the newer roster",
      );
      const expected: PublicRoster["members"] = members.slice(0, 2);
      expect(latest.roster.members).toEqual(expected);
      const stored = await readLatestRoster([relay], readerOf(children[0]!, parent));
      expect([...stored!.secrets.keys()]).toEqual([members[1]!.childId]);

      const snapshot = JSON.stringify(actor.getPersistedSnapshot());
      const secrets = [0, 1, 2].flatMap((index) => {
        const words = deriveChildMnemonic(parent.mnemonic(), index).reveal();
        return [words, words.split(" ").slice(0, 3).join(" ")];
      });
      for (const jwk of jwks.values()) secrets.push(jwk.reveal().d, jwk.reveal().p);
      secrets.push(parentMnemonic, parentMnemonic.split(" ").slice(0, 3).join(" "));
      const written = watched.lines.join("\n");
      expect(watched.lines.some((line) => line.includes("family roster received"))).toBe(true);
      for (const secret of secrets) {
        expect(snapshot).not.toContain(secret);
        expect(written).not.toContain(secret);
      }
    } finally {
      actor.stop();
    }
  });

  it("the whole watch over the relay: it hears the parent and the siblings, and acts only once both fell silent", async () => {
    await publish(members);
    const beat = (keys: AgentKeys) =>
      createAgentAnnouncer({
        relays: [relay],
        signer: () => nostrSignerOf(keys.nostrKey()),
        timeoutMs: 5_000,
        now: Date.now,
      }).publishHeartbeat({
        agentId: keys.identity.agentId,
        generation: 1,
        leaseState: "active.monitoring",
        provider: "akash1provider",
        runwayDays: 2,
        relayUri: null,
        at: new Date().toISOString(),
      } satisfies Heartbeat);
    const asked: ResurrectSiblingInput[] = [];
    const { logger } = capturedLogger();
    const siblings: SiblingOperations = {
      rosterReader: () => readerOf(children[0]!, parent),
      resurrect: async () => ({ outcome: "alive", reason: "not in this test" }),
    };
    const watch = siblingWatchMachine.provide({
      actors: {
        ...createSiblingActors({ logger, now: Date.now, siblings }, { resubscribeMs: 200 }),
        ...createWaitActors(Date.now),
        resurrectSibling: fromPromise<ResurrectSiblingOutput, ResurrectSiblingInput>(async ({ input }) => {
          asked.push(input);
          return { outcome: "alive", at: Date.now(), reason: "recorded" };
        }),
      },
    });
    const actor = createActor(watch, {
      input: {
        agentId: children[0]!.identity.agentId,
        settings: {
          silenceThresholdMs: 3_000,
          heartbeatCheckMs: 250,
          relays: [relay],
          parentNpub: parent.identity.npub,
        },
      },
    }).start();
    const context = () => actor.getSnapshot().context as SiblingWatchContext;
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    try {
      await waitFor(async () => (context().roster ? true : undefined), 10_000, "the roster");
      // The parent and child 2 beat; child 1 is silent: nobody acts while the parent beats.
      for (let second = 0; second < 5; second += 1) {
        await Promise.all([beat(parent), beat(children[2]!)]);
        await pause(1_000);
      }
      expect(context().lastSeen[parent.identity.agentId]).toBeGreaterThan(Date.now() - 2_500);
      expect(context().lastSeen[children[2]!.identity.agentId]).toBeGreaterThan(Date.now() - 2_500);
      expect(asked).toEqual([]);
      // The parent falls silent too: child 0, the eldest, resurrects child 1, once in its window.
      await waitFor(async () => (asked.length > 0 ? true : undefined), 10_000, "a resurrection");
      expect(asked.map((input) => input.childId)).toEqual([children[1]!.identity.agentId]);
    } finally {
      actor.stop();
    }
  });
});
