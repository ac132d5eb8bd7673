import { describe, expect, it } from "vitest";
import { createActor, toPromise } from "xstate";
import type { AgentServices } from "../../../src/actors/agent-services.js";
import { createTreasuryActors } from "../../../src/actors/treasury-actors.js";
import { loadConfig } from "../../../src/config/index.js";
import { createLogger } from "../../../src/logging/index.js";
import {
  actorSettingsFromConfig,
  agentSettingsFromConfig,
  feeReserveUakt,
  initialDepositUact,
} from "../../../src/runtime/agent-settings.js";

/** The uakt the treasury's `ensureAct` burns for `amountUact` on an account holding no ACT yet. */
async function uaktBurntFor(amountUact: bigint, aktUsdOracle: number | null): Promise<bigint> {
  const config = loadConfig({ env: {} });
  const minted: bigint[] = [];
  let uact = 0n;
  const chain = {
    balances: async () => ({ uakt: "1000000000000", uact: uact.toString() }),
    aktPriceUsd: async () => {
      if (aktUsdOracle === null) throw new Error("the oracle has no price");
      return aktUsdOracle;
    },
    mintAct: async ({ amountUakt }: { amountUakt: string }) => {
      minted.push(BigInt(amountUakt));
      uact = amountUact;
      return { txHash: "AB" };
    },
  };
  const services = {
    chain,
    store: { intents: { get: () => undefined }, spending: { record: () => undefined } },
    settings: { ...actorSettingsFromConfig(config, { blockSeconds: 6 }), pollIntervalMs: 1 },
    logger: createLogger({ level: "silent", json: true }),
    now: () => 0,
  } as unknown as AgentServices;
  const actors = createTreasuryActors(services, { feeReserveUakt: feeReserveUakt(config) });
  await toPromise(
    createActor(actors.ensureAct, { input: { key: "mint-test", amountUact: amountUact.toString() } }).start(),
  );
  expect(minted).toHaveLength(1);
  return minted[0]!;
}

describe("minting ACT from AKT", () => {
  it("the funding the agent waits for is what the treasury burns for its first deposit, plus the fee reserve", async () => {
    const config = loadConfig({ env: {} });
    const settings = agentSettingsFromConfig(config, { blockSeconds: 6 });
    // With the oracle unreadable the treasury mints at the configured AKT price, the one the funding uses.
    const burnt = await uaktBurntFor(initialDepositUact(config), null);
    expect(BigInt(settings.minimumFundingUakt)).toBe(burnt + BigInt(feeReserveUakt(config)));
  });

  it("burns a little more AKT than the ACT is worth at the oracle's price, never less", async () => {
    const uact = 15_000_000n;
    const burnt = await uaktBurntFor(uact, 2.5);
    const exact = (uact * 10n) / 25n; // $15 of ACT at $2.50 per AKT
    expect(burnt).toBeGreaterThan(exact);
    expect(burnt).toBeLessThan((exact * 105n) / 100n);
  });
});
