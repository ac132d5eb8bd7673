import { describe, expect, it } from "vitest";
import { assign, createActor, setup, toPromise } from "xstate";
import type { AgentServices } from "../../../src/actors/agent-services.js";
import { createLeaseActors } from "../../../src/actors/lease-actors.js";
import type { SurvivalTier } from "../../../src/domain/index.js";
import { createLogger } from "../../../src/logging/index.js";
import type { GenerateSdlInput, GenerateSdlOutput } from "../../../src/machines/lease/lease.actors.js";
import { AgentKeys, createKeystoreContents } from "../../../src/services/keys/index.js";
import { sdlFactoryFor } from "../../support/sdl-factory-fixture.js";

const asked = { cpuUnits: 5, memoryGi: 6, storageGi: 150 };

/** The lease's generateSdl effect run in an actor system whose treasury is at `tier`. */
async function generate(tier: SurvivalTier | null, purpose: GenerateSdlInput["purpose"]) {
  const keys = AgentKeys.fromContents(await createKeystoreContents({ now: new Date(0), arweaveJwk: null }));
  const services = {
    chain: { height: async () => 100, activeDeployments: async () => [] },
    sdl: sdlFactoryFor(keys),
    logger: createLogger({ level: "silent" }),
  } as unknown as AgentServices;
  const treasury = setup({ types: { context: {} as { tier: SurvivalTier | null } } }).createMachine({
    context: { tier },
  });
  const host = setup({
    types: { context: {} as { output: GenerateSdlOutput | null } },
    actors: { generateSdl: createLeaseActors(services).generateSdl, treasury },
  }).createMachine({
    context: { output: null },
    invoke: { src: "treasury", id: "treasury", systemId: "treasury" },
    initial: "generating",
    states: {
      generating: {
        invoke: {
          src: "generateSdl",
          input: { key: "k", agentId: keys.identity.agentId, resources: asked, purpose },
          onDone: { target: "done", actions: assign({ output: ({ event }) => event.output }) },
        },
      },
      done: { type: "final" },
    },
    output: ({ context }) => context.output,
  });
  const output = (await toPromise(createActor(host).start())) as GenerateSdlOutput | null;
  return output?.resources;
}

describe("the SDL of a new deployment follows the treasury's tier", () => {
  it("takes the cheapest viable resources when critical, keeping the storage asked for", async () => {
    expect(await generate("critical", "deploy")).toEqual({ cpuUnits: 2, memoryGi: 4, storageGi: 150 });
    expect(await generate("critical", "migrate")).toEqual({ cpuUnits: 2, memoryGi: 4, storageGi: 150 });
  });

  it("takes what was asked in the other tiers, before the first reading, and for a scale-up", async () => {
    expect(await generate("normal", "deploy")).toEqual(asked);
    expect(await generate("frugal", "deploy")).toEqual(asked);
    expect(await generate(null, "deploy")).toEqual(asked);
    expect(await generate("critical", "scale")).toEqual(asked);
  });
});
