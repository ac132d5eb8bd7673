import { afterEach, describe, expect, it } from "vitest";
import { judgeTakeBack } from "../../../../src/runtime/take-back.js";
import { adoptKnownLeader } from "../../../../src/services/family/index.js";
import { type Leadership, openAgentStore } from "../../../../src/services/store/index.js";
import { tempDirs } from "../../store/fixtures/temp-dir.js";

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

const known = { dseq: "84", provider: "akash1dead" };
const gone = { gone: true, detail: "the provider akash1dead of lease 84 does not answer" };

/** A data dir whose store is as a restore left it, with `leadership` recorded (none: a bootstrap's). */
function restored(leadership?: Omit<Leadership, "updatedAt">): string {
  const dataDir = dirs.make();
  const store = openAgentStore({ dataDir });
  if (leadership) store.leadership.record(leadership);
  store.close();
  return dataDir;
}

function leadershipIn(dataDir: string): Leadership {
  const store = openAgentStore({ dataDir });
  try {
    return store.leadership.current();
  } finally {
    store.close();
  }
}

const takeBack = (leadership: Leadership) =>
  judgeTakeBack({ leadership, heartbeat: null, lease: gone, silentAfterMs: 3_000, now: Date.now() });

/**
 * The child's provider went down before its own instance had backed itself up: its latest backup was
 * its bootstrap's, made before the handover (leading, generation 0, in no lease). The take-back refused
 * it as "nothing to take back", which the family read as "alive", at every attempt, forever.
 */
describe("a resurrection from a backup made outside any lease", () => {
  it("takes back from where the family last knew the child (a bootstrap's backup)", () => {
    const dataDir = restored();
    expect(takeBack(leadershipIn(dataDir))).toMatchObject({ allowed: false });

    expect(adoptKnownLeader(dataDir, known)).toBe(true);
    expect(leadershipIn(dataDir)).toMatchObject({
      generation: 0,
      state: "handed_over",
      leader: { dseq: "84", provider: "akash1dead", uri: "" },
    });
    expect(takeBack(leadershipIn(dataDir))).toMatchObject({ allowed: true, generation: 1 });
  });

  it("does the same for an earlier resurrection's take-back run (leading outside a lease)", () => {
    const dataDir = restored({ generation: 2, state: "leading", leader: null });
    expect(adoptKnownLeader(dataDir, known)).toBe(true);
    expect(takeBack(leadershipIn(dataDir))).toMatchObject({ allowed: true, generation: 3 });
  });

  it("leaves a backup that names its own lease, or a handover, as it is", () => {
    const own = { dseq: "90", provider: "akash1own", uri: "127.0.0.1:1" };
    const leading = restored({ generation: 1, state: "leading", leader: own });
    expect(adoptKnownLeader(leading, known)).toBe(false);
    expect(leadershipIn(leading).leader).toEqual(own);
    const handedOver = restored({ generation: 1, state: "handed_over", leader: own });
    expect(adoptKnownLeader(handedOver, known)).toBe(false);
    expect(leadershipIn(handedOver)).toMatchObject({ state: "handed_over", leader: own });
  });
});
