import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createActor, SimulatedClock, type SnapshotFrom, toPromise } from "xstate";
import { createAgentActors } from "../../../src/actors/agent-actors.js";
import type { AgentServices } from "../../../src/actors/agent-services.js";
import { noAlertChannels } from "../../../src/actors/alert-channels.js";
import { createKeyRotationActors } from "../../../src/actors/keys-actors.js";
import { createLogger } from "../../../src/logging/index.js";
import { type KeyRotationSettings, keyRotationMachine } from "../../../src/machines/index.js";
import { AgentKeys, createKeystoreContents, type KeystoreBackend } from "../../../src/services/keys/index.js";
import { clockWaits } from "../../support/clock-waits.js";
import { RecordedActors, settled, withActors } from "../../support/recorded-actors.js";
import { fileKeystore, makeTempDir, type TempDir } from "../../unit/keys/support/keystore-fixtures.js";

const DAY = 86_400_000;
const CREATED = Date.UTC(2026, 0, 1);
const ROTATED = CREATED + 10 * DAY;
/** The payment key is the only one due within the test's horizon. */
const settings: KeyRotationSettings = {
  intervalDays: { akash: 365, payment: 30, identity: 365, encryption: 365 },
  graceMs: DAY,
  retryAfterMs: DAY,
};

const silent = createLogger({
  level: "silent",
  destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
});

/** What the key actors and `loadIdentity` use of the services, for one process at `now`. */
async function servicesAt(keystore: KeystoreBackend, now: number): Promise<AgentServices> {
  const keys = AgentKeys.fromContents(await keystore.load());
  const partial: Partial<AgentServices> = {
    keystore,
    keys,
    logger: silent,
    now: () => now,
    store: { children: { list: () => [], nextIndex: () => 0 } } as unknown as AgentServices["store"],
  };
  return partial as AgentServices;
}

const noChannels = noAlertChannels;

describe("key rotation schedule across a restart", () => {
  let dir: TempDir;
  beforeAll(async () => {
    dir = await makeTempDir();
  });
  afterAll(() => dir.remove());

  it("counts the next rotation from when the key was rotated (kept in the keystore), not from the keystore's creation or the process start", async () => {
    const path = `${dir.path}/keystore.json`;
    const first = fileKeystore(path);
    await first.save(await createKeystoreContents({ now: new Date(CREATED), arweaveJwk: null }));

    // The first process rotates the payment key on day 10.
    const running = await servicesAt(first, ROTATED);
    const activate = createActor(createKeyRotationActors(running).activateNextKey, {
      input: { key: "k", name: "payment", fromIndex: 0, toIndex: 1 },
    });
    activate.start();
    await toPromise(activate);

    // A new process, on day 25, with a fresh keystore object on the same file.
    const restartedAt = CREATED + 25 * DAY;
    const restarted = await servicesAt(fileKeystore(path), restartedAt);
    const load = createActor(createAgentActors(restarted, noChannels).loadIdentity);
    load.start();
    const loaded = await toPromise(load);
    expect(loaded.keys.payment).toEqual({ index: 1, rotatedAt: ROTATED });
    expect(loaded.keys.akash).toEqual({ index: 0, rotatedAt: CREATED });

    const dueAt = ROTATED + 30 * DAY;
    const clock = new SimulatedClock();
    clock.set(restartedAt);
    const recorded = new RecordedActors();
    const machine = withActors(keyRotationMachine, {
      ...recorded.scriptedAll(["prepareNextKey", "activateNextKey", "revokeOldKey", "rollbackRotation"]),
      ...clockWaits(clock, recorded),
    });
    const keysActor = createActor(machine, {
      input: { agentId: "agent-test", settings, keys: loaded.keys },
      clock,
    } as never);
    keysActor.start();
    await settled();
    const snapshot = keysActor.getSnapshot() as SnapshotFrom<typeof keyRotationMachine>;
    expect(snapshot.context.keys.payment.dueAt).toBe(dueAt);

    clock.set(dueAt - 1);
    await settled();
    expect(recorded.invocations.filter((invocation) => invocation.src === "prepareNextKey")).toEqual([]);
    clock.set(dueAt);
    await settled();
    expect(recorded.running(true).map((invocation) => invocation.input)).toEqual([
      { key: "agent-test:rotate:payment:2:prepare", name: "payment", fromIndex: 1, toIndex: 2 },
    ]);
    keysActor.stop();
  });
});
