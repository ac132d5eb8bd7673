import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../../src/logging/index.js";
import { ActivationRecordRoute } from "../../../src/server/activation-record-route.js";
import { sendError } from "../../../src/server/json-response.js";
import {
  ACTIVATION_RECORD_FILE,
  ACTIVATION_REFUSALS_FILE,
  ActivationEndpoint,
  type ActivationOffer,
  ActivationRefusalLog,
  activateInstance,
  EphemeralActivationKey,
  readActivationRefusals,
  verifyAcknowledgement,
} from "../../../src/services/activation/index.js";
import {
  type ActivationAgent,
  agentStoreImage,
  expectationFor,
  newActivationAgent,
  packageFor,
} from "../../support/activation-fixtures.js";

const NONCE = "nonce-record-route-1";
const servers: Server[] = [];
const dirs: string[] = [];

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * The leader's `/api/activation` once it runs the agent: a bootstrap that crashed after its POST reads
 * the acknowledgement it missed there and finishes; nothing can activate it again.
 */
describe("an activated instance's /api/activation, served from its record", { timeout: 30_000 }, () => {
  let agent: ActivationAgent;
  let recordPath: string;
  let acknowledged: Awaited<ReturnType<typeof activateInstance>>;

  beforeAll(async () => {
    agent = await newActivationAgent();
    const dataDir = mkdtempSync(join(tmpdir(), "activation-record-route-"));
    dirs.push(dataDir);
    recordPath = join(dataDir, ACTIVATION_RECORD_FILE);
    const endpoint = new ActivationEndpoint({
      expected: expectationFor(agent, NONCE),
      ephemeral: EphemeralActivationKey.generate(),
      recordPath,
      onActivated: async () => {},
      logger: createLogger({ level: "silent" }),
    });
    const url = await listen((req, res) => {
      void endpoint.handle(req, res).then((handled) => handled || sendError(res, 404, "not found"));
    });
    const store = agentStoreImage();
    acknowledged = await activateInstance({
      url,
      keys: agent.keys,
      expected: { agentId: agent.keys.identity.agentId, nonce: NONCE },
      build: async () => packageFor(agent, { nonce: NONCE, generation: 3, store }),
    });
  });

  afterAll(() => {
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("answers the recorded offer, and the leader's retry gets the acknowledgement without sending anything", async () => {
    const route = ActivationRecordRoute.fromFile(recordPath);
    expect(route).not.toBeNull();
    const url = await listen((req, res) => {
      if (!route!.handle(req, res)) sendError(res, 404, "not the activation route");
    });
    const offer = (await (await fetch(`${url}/api/activation`)).json()) as ActivationOffer;
    expect(offer).toMatchObject({
      version: 1,
      agentId: agent.keys.identity.agentId,
      nonce: NONCE,
      state: "activated",
      generation: 3,
    });
    expect(offer.acknowledgement).toEqual(acknowledged.acknowledgement);
    expect(offer.ephemeralPubkey).toMatch(/^[0-9a-f]{64}$/);

    let built = 0;
    const retry = await activateInstance({
      url,
      keys: agent.keys,
      expected: { agentId: agent.keys.identity.agentId, nonce: NONCE },
      build: async () => {
        built += 1;
        throw new Error("an activated instance must not be sent a package");
      },
    });
    expect(built).toBe(0);
    expect(retry).toMatchObject({ generation: 3, alreadyActivated: true });
    expect(
      verifyAcknowledgement(retry.acknowledgement, {
        agentId: agent.keys.identity.agentId,
        nonce: NONCE,
        generation: 3,
        nostrPubkey: agent.keys.identity.nostrPubkey,
        ephemeralPubkey: offer.ephemeralPubkey,
      }),
    ).toBe(true);

    const post = await fetch(`${url}/api/activation`, { method: "POST", body: "{}" });
    expect(post.status).toBe(409);
    expect(((await post.json()) as { error: string }).error).toMatch(/replayed activation.*generation 3/);
    const put = await fetch(`${url}/api/activation`, { method: "PUT", body: "{}" });
    expect(put.status).toBe(405);
    expect((await fetch(`${url}/api/status`)).status).toBe(404);
  });

  it("keeps each refused POST in the refusal log, shows the count in the offer and tells its listener", async () => {
    const dir = mkdtempSync(join(tmpdir(), "activation-record-refusals-"));
    dirs.push(dir);
    const log = new ActivationRefusalLog(join(dir, ACTIVATION_REFUSALS_FILE));
    const route = ActivationRecordRoute.fromFile(recordPath, log);
    let told = 0;
    route!.onRefused(() => {
      told += 1;
    });
    const url = await listen((req, res) => {
      if (!route!.handle(req, res)) sendError(res, 404, "not the activation route");
    });
    expect((await fetch(`${url}/api/activation`, { method: "POST", body: "{}" })).status).toBe(409);
    expect((await fetch(`${url}/api/activation`, { method: "POST", body: "{}" })).status).toBe(409);
    expect(told).toBe(2);
    const offer = (await (await fetch(`${url}/api/activation`)).json()) as ActivationOffer;
    expect(offer).toMatchObject({ state: "activated", generation: 3, refused: 2 });
    await log.flushed();
    const kept = readActivationRefusals(join(dir, ACTIVATION_REFUSALS_FILE));
    expect(kept.count).toBe(2);
    expect(kept.latest.map((refusal) => refusal.status)).toEqual([409, 409]);
  });

  it("is absent for an instance that was never activated", () => {
    const dir = mkdtempSync(join(tmpdir(), "activation-record-none-"));
    dirs.push(dir);
    expect(ActivationRecordRoute.fromFile(join(dir, ACTIVATION_RECORD_FILE))).toBeNull();
  });
});
