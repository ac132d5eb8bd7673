import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createActor } from "xstate";
import type { AgentServices } from "../../../src/actors/agent-services.js";
import { createHandOverActor } from "../../../src/actors/handover-actor.js";
import { activationNonce } from "../../../src/actors/sdl-factory.js";
import { createLogger } from "../../../src/logging/index.js";
import type { LeaseRef } from "../../../src/machines/lease/lease.types.js";
import { sendError } from "../../../src/server/json-response.js";
import {
  ACTIVATION_RECORD_FILE,
  ActivationEndpoint,
  EphemeralActivationKey,
} from "../../../src/services/activation/index.js";
import { EnvKeystore } from "../../../src/services/keys/index.js";
import { openAgentStore } from "../../../src/services/store/index.js";
import { newActivationAgent } from "../../support/activation-fixtures.js";
import { waitFor } from "../../support/devnet.js";

const logger = createLogger({ level: "silent", json: true });

const leaseRef = (dseq: string, uri: string): LeaseRef => ({
  dseq,
  gseq: 1,
  oseq: 1,
  provider: `akash1provider${dseq}`,
  priceUact: "10",
  hostUri: null,
  uris: [uri],
  manifestVersion: "v",
  resources: {} as LeaseRef["resources"],
});

describe("a self-migration exports the state only once no effect is in flight", () => {
  const dirs: string[] = [];
  const servers: Server[] = [];
  afterAll(() => {
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("pauses new effects, waits for the one running, then activates the next instance and hands over", {
    timeout: 90_000,
  }, async () => {
    const agent = await newActivationAgent();
    const dseq = "777";
    const instanceDir = mkdtempSync(join(tmpdir(), "quiesce-instance-"));
    const dataDir = mkdtempSync(join(tmpdir(), "quiesce-leader-"));
    dirs.push(instanceDir, dataDir);
    let posts = 0;
    const endpoint = new ActivationEndpoint({
      expected: {
        agentId: agent.keys.identity.agentId,
        nonce: activationNonce(agent.keys, dseq),
        owner: agent.keys.identity.akash,
        dseq,
      },
      ephemeral: EphemeralActivationKey.generate(),
      recordPath: join(instanceDir, ACTIVATION_RECORD_FILE),
      onActivated: async () => {},
      logger,
    });
    const server = createServer((req, res) => {
      if (req.method === "POST") posts += 1;
      void endpoint.handle(req, res).then((handled) => handled || sendError(res, 404, "not found"));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const uri = `127.0.0.1:${(server.address() as AddressInfo).port}`;

    const store = openAgentStore({ dataDir });
    const handedOver: number[] = [];
    const services = {
      store,
      keys: agent.keys,
      keystore: new EnvKeystore({ env: { AGENT_MNEMONIC: agent.mnemonic } }),
      logger,
      selfHosting: {
        settings: () => ({}),
        importRelayEvents: async () => 0,
        handedOver: ({ generation }: { generation: number }) => handedOver.push(generation),
      },
    } as unknown as AgentServices;
    try {
      // A top-up the treasury began before the move: still running when the handover starts.
      let finishTopUp: () => void = () => {};
      const topUp = store.leadership.track(
        () =>
          new Promise<void>((resolve) => {
            finishTopUp = resolve;
          }),
      );
      // A stale intent no effect runs for any more does not hold the handover back: it travels in the state.
      store.intents.record({ key: "agent:stale:1", kind: "deposit", payload: null as never });
      const actor = createActor(createHandOverActor(services), {
        input: {
          key: "agent:handover:1",
          lease: leaseRef(dseq, uri),
          previous: leaseRef("1", "127.0.0.1:9"),
        },
      });
      actor.start();
      await waitFor(
        () => (store.leadership.effectRefusal()?.final === false ? true : undefined),
        10_000,
        "effects paused",
      );
      expect(store.leadership.effectRefusal()?.reason).toContain(
        `handing over to generation 1 in lease ${dseq}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(posts).toBe(0);
      expect(store.leadership.current().state).toBe("leading");

      finishTopUp();
      await topUp;
      await waitFor(() => (handedOver.length === 1 ? true : undefined), 60_000, "handed over");
      expect(posts).toBe(1);
      expect(handedOver).toEqual([1]);
      expect(store.leadership.current()).toMatchObject({
        generation: 1,
        state: "handed_over",
        leader: { dseq, uri },
      });
      expect(store.leadership.effectRefusal()).toMatchObject({ final: true });
      actor.stop();
    } finally {
      store.close();
    }
  });
});
