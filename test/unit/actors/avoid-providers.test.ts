import { describe, expect, it } from "vitest";
import { createActor, toPromise } from "xstate";
import type { AgentServices } from "../../../src/actors/agent-services.js";
import { createLeaseActors } from "../../../src/actors/lease-actors.js";
import { loadConfig } from "../../../src/config/index.js";
import { createLogger } from "../../../src/logging/index.js";
import { actorSettingsFromConfig } from "../../../src/runtime/agent-settings.js";

const PARENT_PROVIDER = "akash1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu";
const OTHER_PROVIDER = "akash1qgpsgpgxquyqjzstpsxsurcszyfpx9q4zct3sxq";

describe("the lease's bid choice with bidding.avoidProviders", () => {
  it("takes a worse bid over a cheaper one from an avoided provider; the avoided one only when alone", async () => {
    const config = loadConfig({ env: { AGENT_BIDDING_AVOID_PROVIDERS: PARENT_PROVIDER } });
    const services = {
      chain: { auditedProvider: async () => null },
      directory: { providers: async () => [] },
      store: {
        providerPerformance: { allStats: () => [] },
        children: { placements: () => [] },
      },
      settings: actorSettingsFromConfig(config, { blockSeconds: 6 }),
      logger: createLogger({ level: "silent", json: true }),
      now: () => 0,
    } as unknown as AgentServices;
    const { evaluateBids } = createLeaseActors(services);
    const bid = (provider: string, priceUact: string) => ({
      owner: "akash1me",
      dseq: "7",
      gseq: 1,
      oseq: 1,
      provider,
      priceUact,
    });
    const evaluate = (bids: ReturnType<typeof bid>[]) =>
      toPromise(
        createActor(evaluateBids, {
          input: { dseq: "7", bids, maxPriceUact: "100", excludedProviders: [] },
        }).start(),
      );

    const both = await evaluate([bid(PARENT_PROVIDER, "10"), bid(OTHER_PROVIDER, "90")]);
    expect(both.chosen?.provider).toBe(OTHER_PROVIDER);
    expect(both.ranked.map((entry) => entry.provider)).toEqual([OTHER_PROVIDER, PARENT_PROVIDER]);

    const alone = await evaluate([bid(PARENT_PROVIDER, "10")]);
    expect(alone.chosen?.provider).toBe(PARENT_PROVIDER);
  });
});
