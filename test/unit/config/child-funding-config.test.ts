import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";
import { actorSettingsFromConfig, agentSettingsFromConfig } from "../../../src/runtime/agent-settings.js";
import { planKeyRotation } from "../../../src/runtime/key-rotation-plan.js";

const PARENT_AKASH = "akash1k5w6yvn87n6fkftxc6aw4rxm5jsjn4syzy2npe";
const PARENT_NPUB = "npub180cvv07tjdrrgpa0j7j7tmnyl2yr6yr7l8j4s3evf6u64th6gkwsyjh6w6";

const messageOf = (call: () => unknown): string => {
  try {
    call();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error("expected the config to be refused");
};

describe("a child's funding settings (reproduction.parent, childFeeBudgetUakt, grantDays)", () => {
  it("reads the parent from AGENT_REPRODUCTION_PARENT_AKASH / _NPUB, and has no parent by default", () => {
    expect(loadConfig({ env: {} }).reproduction).toMatchObject({
      childFeeBudgetUakt: "5000000",
      grantDays: 30,
    });
    expect(loadConfig({ env: {} }).reproduction.parent).toBeUndefined();
    const child = loadConfig({
      env: {
        AGENT_REPRODUCTION_PARENT_AKASH: PARENT_AKASH,
        AGENT_REPRODUCTION_PARENT_NPUB: PARENT_NPUB,
        AGENT_REPRODUCTION_CHILD_FEE_BUDGET_UAKT: "7000000",
        AGENT_REPRODUCTION_GRANT_DAYS: "10",
      },
    });
    expect(child.reproduction).toMatchObject({
      parent: { akash: PARENT_AKASH, npub: PARENT_NPUB },
      childFeeBudgetUakt: "7000000",
      grantDays: 10,
    });
    expect(actorSettingsFromConfig(child, { blockSeconds: 6 }).childFunding).toEqual({
      feeBudgetUakt: "7000000",
      grantDays: 10,
      croWei: "0",
    });
  });

  it("refuses a half-given parent, a bad address and a fee budget that is not whole uakt, naming the field", () => {
    expect(messageOf(() => loadConfig({ env: { AGENT_REPRODUCTION_PARENT_AKASH: PARENT_AKASH } }))).toMatch(
      /reproduction\.parent\.npub/,
    );
    expect(
      messageOf(() =>
        loadConfig({
          env: { AGENT_REPRODUCTION_PARENT_AKASH: "cosmos1xyz", AGENT_REPRODUCTION_PARENT_NPUB: PARENT_NPUB },
        }),
      ),
    ).toMatch(/reproduction\.parent\.akash.*akash1… address/);
    expect(messageOf(() => loadConfig({ env: { AGENT_REPRODUCTION_CHILD_FEE_BUDGET_UAKT: "5.5" } }))).toMatch(
      /reproduction\.childFeeBudgetUakt.*5\.5/,
    );
  });

  it("reads reproduction.childCroWei (none by default), refuses one that is not whole wei, and hands it to the treasury's caps", () => {
    const none = loadConfig({ env: {} });
    expect(none.reproduction.childCroWei).toBe("0");
    expect(agentSettingsFromConfig(none, { blockSeconds: 6 }).treasury.childCroWei).toBeUndefined();
    const some = loadConfig({ env: { AGENT_REPRODUCTION_CHILD_CRO_WEI: "20000000000000000000" } });
    expect(some.reproduction.childCroWei).toBe("20000000000000000000");
    expect(agentSettingsFromConfig(some, { blockSeconds: 6 }).treasury).toMatchObject({
      childCroWei: "20000000000000000000",
      croUsd: 0.1,
    });
    expect(actorSettingsFromConfig(some, { blockSeconds: 6 }).childFunding?.croWei).toBe(
      "20000000000000000000",
    );
    for (const bad of ["1.5", "-1", "1e18", "0x10"]) {
      expect(messageOf(() => loadConfig({ env: { AGENT_REPRODUCTION_CHILD_CRO_WEI: bad } }))).toMatch(
        /reproduction\.childCroWei .*AGENT_REPRODUCTION_CHILD_CRO_WEI.*a whole amount of wei, 0 or more/,
      );
    }
  });

  it("lets a child start on its fee money alone: it mints no ACT, its deposits draw on the grant", () => {
    const root = agentSettingsFromConfig(loadConfig({ env: {} }), { blockSeconds: 6 });
    const child = agentSettingsFromConfig(
      loadConfig({
        env: { AGENT_REPRODUCTION_PARENT_AKASH: PARENT_AKASH, AGENT_REPRODUCTION_PARENT_NPUB: PARENT_NPUB },
      }),
      { blockSeconds: 6 },
    );
    expect(child.minimumFundingUakt).toBe(root.treasury.minAktReserveUakt);
    expect(BigInt(root.minimumFundingUakt)).toBeGreaterThan(BigInt(child.minimumFundingUakt));
  });
});

describe("a child's akash key", () => {
  it("does not rotate: the parent's grants are to its address; the other keys rotate as usual", () => {
    const fileKeystore = { durable: true, describe: () => "encrypted file /data/keystore.json" };
    const root = planKeyRotation(loadConfig({ env: {} }), fileKeystore);
    const child = planKeyRotation(
      loadConfig({
        env: { AGENT_REPRODUCTION_PARENT_AKASH: PARENT_AKASH, AGENT_REPRODUCTION_PARENT_NPUB: PARENT_NPUB },
      }),
      fileKeystore,
    );
    expect(root.rotating).toContain("akash");
    expect(child.rotating).toEqual(root.rotating.filter((name) => name !== "akash"));
    expect(child.notes.join("\n")).toMatch(/the akash key is not rotated: this agent is a child/);
  });
});
