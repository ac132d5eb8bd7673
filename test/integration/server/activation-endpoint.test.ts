import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getToken } from "nostr-tools/nip98";
import { finalizeEvent } from "nostr-tools/pure";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../../src/logging/index.js";
import { sendError } from "../../../src/server/json-response.js";
import {
  ACTIVATION_RECORD_FILE,
  ActivationEndpoint,
  ActivationFailedError,
  type ActivationOffer,
  type ActivationPackage,
  ActivationRefusedError,
  activateInstance,
  EphemeralActivationKey,
  type OpenedActivation,
  sealActivationPackage,
  verifyAcknowledgement,
} from "../../../src/services/activation/index.js";
import { encodeKeystorePlaintext } from "../../../src/services/keys/keystore-codec.js";
import {
  type ActivationAgent,
  agentStoreImage,
  expectationFor,
  newActivationAgent,
  packageFor,
  secretSpellings,
} from "../../support/activation-fixtures.js";

const NONCE = "nonce-loopback-1";

/** An instance's activation endpoint on a real HTTP server on 127.0.0.1:0. */
interface Instance {
  readonly url: string;
  readonly endpoint: ActivationEndpoint;
  readonly recordPath: string;
  readonly activations: OpenedActivation[];
  readonly refusals: { reason: string; status: number }[];
  close(): Promise<void>;
}

const servers: Server[] = [];
const dirs: string[] = [];

async function startInstance(
  agent: ActivationAgent,
  o: {
    dataDir?: string;
    expected?: ReturnType<typeof expectationFor>;
    onActivated?: (opened: OpenedActivation) => Promise<void>;
    maxBodyBytes?: number;
    /** Listen on this port (a restart at the same address); default: any free one. */
    port?: number;
  } = {},
): Promise<Instance> {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), "activation-instance-"));
  if (!o.dataDir) dirs.push(dataDir);
  const recordPath = join(dataDir, ACTIVATION_RECORD_FILE);
  const activations: OpenedActivation[] = [];
  const refusals: { reason: string; status: number }[] = [];
  const endpoint = new ActivationEndpoint({
    expected: o.expected ?? expectationFor(agent, NONCE),
    ephemeral: EphemeralActivationKey.generate(),
    recordPath,
    onActivated: async (opened) => {
      await o.onActivated?.(opened);
      activations.push(opened);
    },
    onRefused: (reason, status) => refusals.push({ reason, status }),
    logger: createLogger({ level: "silent" }),
    ...(o.maxBodyBytes === undefined ? {} : { maxBodyBytes: o.maxBodyBytes }),
  });
  const server = createServer((req, res) => {
    endpoint.handle(req, res).then(
      (handled) => handled || sendError(res, 404, "not found"),
      () => res.destroy(),
    );
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    endpoint,
    recordPath,
    activations,
    refusals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function getOffer(url: string): Promise<ActivationOffer> {
  const response = await fetch(`${url}/api/activation`);
  expect(response.status).toBe(200);
  return (await response.json()) as ActivationOffer;
}

/** POSTs a package by hand (as the leader would), returning the status, JSON and what was sent. */
async function postPackage(url: string, agent: ActivationAgent, pkg: ActivationPackage) {
  const offer = await getOffer(url);
  const sealed = sealActivationPackage(pkg, agent.keys.nostrKey().privateKey, offer.ephemeralPubkey);
  const target = `${url}/api/activation`;
  const authorization = await getToken(
    target,
    "POST",
    (template) => finalizeEvent(template, agent.keys.nostrKey().privateKey.reveal()),
    true,
    sealed,
  );
  return {
    ...(await send(target, authorization, JSON.stringify(sealed))),
    authorization,
    body: JSON.stringify(sealed),
  };
}

/** A POST on a connection of its own (node:http, no pool: a restarted instance reuses the port). */
function send(target: string, authorization: string | undefined, body: string) {
  return new Promise<{ status: number; text: string; json: Record<string, unknown> }>((resolve, reject) => {
    const req = request(
      target,
      {
        method: "POST",
        agent: false,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          ...(authorization ? { authorization } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, text, json: JSON.parse(text) as Record<string, unknown> });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function thrown(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("activation over loopback HTTP", { timeout: 60_000 }, () => {
  let agent: ActivationAgent;
  let other: ActivationAgent;
  let store: Buffer;

  beforeAll(async () => {
    agent = await newActivationAgent();
    other = await newActivationAgent();
    store = agentStoreImage();
  });

  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const secrets = () => secretSpellings(agent);
  const expectNoSecret = (text: string) => {
    for (const secret of secrets()) expect(text).not.toContain(secret);
  };

  it("leader → instance: the keystore and the store arrive equal, the acknowledgement is the agent's, the record survives a restart", async () => {
    const instance = await startInstance(agent);
    const before = await getOffer(instance.url);
    expect(before).toMatchObject({
      version: 1,
      agentId: agent.keys.identity.agentId,
      nonce: NONCE,
      state: "awaiting",
    });
    expect(before.ephemeralPubkey).toMatch(/^[0-9a-f]{64}$/);
    expect(before.generation).toBeNull();

    const built: ActivationPackage[] = [];
    const receipt = await activateInstance({
      url: instance.url,
      keys: agent.keys,
      expected: { agentId: agent.keys.identity.agentId, nonce: NONCE },
      build: async (offer) => {
        expect(offer.ephemeralPubkey).toBe(before.ephemeralPubkey);
        const pkg = packageFor(agent, {
          nonce: NONCE,
          generation: 1,
          store,
          settings: { "relay.maxEvents": 500 },
        });
        built.push(pkg);
        return pkg;
      },
    });
    expect(receipt.generation).toBe(1);
    expect(receipt.alreadyActivated).toBe(false);
    expect(
      verifyAcknowledgement(receipt.acknowledgement, {
        agentId: agent.keys.identity.agentId,
        nonce: NONCE,
        generation: 1,
        nostrPubkey: agent.keys.identity.nostrPubkey,
        ephemeralPubkey: before.ephemeralPubkey,
      }),
    ).toBe(true);
    expect(JSON.parse(receipt.acknowledgement.content)).toMatchObject({
      owner: agent.keys.identity.akash,
      dseq: "4242",
    });
    // The leader's plaintext keystore bytes were zeroed once sealed.
    expect(built[0]?.keystore.reveal().every((byte) => byte === 0)).toBe(true);

    expect(instance.activations).toHaveLength(1);
    const opened = instance.activations[0]!;
    expect(opened.store.equals(store)).toBe(true);
    expect(encodeKeystorePlaintext(opened.contents).equals(encodeKeystorePlaintext(agent.contents))).toBe(
      true,
    );
    expect(opened.settings).toEqual({ "relay.maxEvents": 500 });

    const after = await getOffer(instance.url);
    expect(after).toMatchObject({
      state: "activated",
      generation: 1,
      acknowledgement: receipt.acknowledgement,
    });
    const recordText = readFileSync(instance.recordPath, "utf8");
    expectNoSecret(JSON.stringify(after));
    expectNoSecret(recordText);
    expect(JSON.parse(recordText)).toMatchObject({ activated: true, generation: 1, nonce: NONCE });

    // A leader that crashed after its POST asks again: the stored acknowledgement, nothing re-sent.
    let rebuilt = 0;
    const again = await activateInstance({
      url: instance.url,
      keys: agent.keys,
      expected: { agentId: agent.keys.identity.agentId, nonce: NONCE },
      build: async () => {
        rebuilt += 1;
        return packageFor(agent, { nonce: NONCE, generation: 1, store });
      },
    });
    expect(again).toEqual({
      generation: 1,
      acknowledgement: receipt.acknowledgement,
      alreadyActivated: true,
    });
    expect(rebuilt).toBe(0);

    // The instance crashes and restarts from its data directory: same state, same acknowledgement.
    await instance.close();
    const dataDir = join(instance.recordPath, "..");
    const restarted = await startInstance(agent, { dataDir });
    const offer = await getOffer(restarted.url);
    expect(offer).toMatchObject({
      state: "activated",
      generation: 1,
      acknowledgement: receipt.acknowledgement,
    });
    expect(offer.ephemeralPubkey).not.toBe(before.ephemeralPubkey);
    const resumed = await activateInstance({
      url: restarted.url,
      keys: agent.keys,
      expected: { agentId: agent.keys.identity.agentId, nonce: NONCE },
      build: async () => packageFor(agent, { nonce: NONCE, generation: 1, store }),
    });
    expect(resumed).toEqual({
      generation: 1,
      acknowledgement: receipt.acknowledgement,
      alreadyActivated: true,
    });
    expect(restarted.activations).toHaveLength(0);
  });

  it("a POST for the same generation answers the stored acknowledgement; another generation or the same auth event is a replayed activation (409)", async () => {
    const instance = await startInstance(agent);
    const first = await postPackage(
      instance.url,
      agent,
      packageFor(agent, { nonce: NONCE, generation: 2, store }),
    );
    expect(first.status).toBe(200);
    expect(first.json.alreadyActivated).toBe(false);

    const same = await postPackage(
      instance.url,
      agent,
      packageFor(agent, { nonce: NONCE, generation: 2, store }),
    );
    expect(same.status).toBe(200);
    expect(same.json).toEqual({ ...first.json, alreadyActivated: true });

    const later = await postPackage(
      instance.url,
      agent,
      packageFor(agent, { nonce: NONCE, generation: 3, store }),
    );
    expect(later.status).toBe(409);
    expect(later.json.error).toContain("replayed activation");

    const replay = await send(`${instance.url}/api/activation`, first.authorization, first.body);
    expect(replay.status).toBe(409);
    expect(replay.json.error).toContain("replayed activation");
    expect(instance.activations).toHaveLength(1);

    // The auth event that activated it stays refused after a restart (at the same address) too.
    await instance.close();
    const restarted = await startInstance(agent, {
      dataDir: join(instance.recordPath, ".."),
      port: Number(new URL(instance.url).port),
    });
    const replayAfterRestart = await send(`${restarted.url}/api/activation`, first.authorization, first.body);
    expect(replayAfterRestart.status).toBe(409);
    expect(restarted.refusals.map((r) => r.status)).toEqual([409]);
  });

  it("two POSTs at once for the same generation: one activation, both answered the same acknowledgement", async () => {
    const instance = await startInstance(agent);
    const pkg = () => packageFor(agent, { nonce: NONCE, generation: 4, store });
    const [a, b] = await Promise.all([
      postPackage(instance.url, agent, pkg()),
      postPackage(instance.url, agent, pkg()),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect([a.json.alreadyActivated, b.json.alreadyActivated].sort()).toEqual([false, true]);
    expect(a.json.acknowledgement).toEqual(b.json.acknowledgement);
    expect(instance.activations).toHaveLength(1);
  });

  it("the leader refuses to send keys to an instance that offers another nonce or agent", async () => {
    const instance = await startInstance(agent, { expected: expectationFor(agent, "someone-elses-nonce") });
    let built = 0;
    const build = async () => {
      built += 1;
      return packageFor(agent, { nonce: NONCE, generation: 1, store });
    };
    const error = await thrown(
      activateInstance({
        url: instance.url,
        keys: agent.keys,
        expected: { agentId: agent.keys.identity.agentId, nonce: NONCE },
        build,
      }),
    );
    expect(error).toBeInstanceOf(ActivationFailedError);
    expect(error.message).toContain(instance.url);
    expect(error.message).toContain("nonce");
    const wrongAgent = await thrown(
      activateInstance({
        url: instance.url,
        keys: other.keys,
        expected: { agentId: other.keys.identity.agentId, nonce: NONCE },
        build,
      }),
    );
    expect(wrongAgent.message).toContain(other.keys.identity.agentId);
    expect(built).toBe(0);
    expect((await getOffer(instance.url)).state).toBe("awaiting");
  });

  it("the instance refuses a keystore for another agent (403) and reports it; the leader's error names the URL, no secret", async () => {
    const instance = await startInstance(agent, {
      expected: { ...expectationFor(agent, NONCE), owner: other.keys.identity.akash },
    });
    const error = await thrown(
      activateInstance({
        url: instance.url,
        keys: agent.keys,
        expected: { agentId: agent.keys.identity.agentId, nonce: NONCE },
        build: async () => packageFor(agent, { nonce: NONCE, generation: 1, store }),
      }),
    );
    expect(error).toBeInstanceOf(ActivationRefusedError);
    expect((error as ActivationRefusedError).status).toBe(403);
    expect(error.message).toContain(instance.url);
    expect(error.message).toContain("a keystore for another agent");
    expectNoSecret(error.message);
    expect(instance.refusals).toHaveLength(1);
    expect(instance.refusals[0]?.status).toBe(403);
    expect((await getOffer(instance.url)).state).toBe("awaiting");
    expect(instance.activations).toHaveLength(0);
  });

  it("refuses a missing signature (401), a malformed body (400), a body over the cap (413), each as one-line JSON", async () => {
    const instance = await startInstance(agent, { maxBodyBytes: 256 * 1024 });
    const target = `${instance.url}/api/activation`;
    const unsigned = await send(target, undefined, "{}");
    expect(unsigned.status).toBe(401);
    expect(unsigned.text.trim().split("\n")).toHaveLength(1);
    expect(unsigned.json.error).toContain("Authorization");

    const malformedBody = JSON.stringify({ version: 1, agentId: agent.keys.identity.agentId });
    const authorization = await getToken(
      target,
      "POST",
      (template) => finalizeEvent(template, agent.keys.nostrKey().privateKey.reveal()),
      true,
      JSON.parse(malformedBody),
    );
    const malformed = await send(target, authorization, malformedBody);
    expect(malformed.status).toBe(400);
    expect(malformed.json.error).toContain("field");

    const tooLarge = await postPackage(
      instance.url,
      agent,
      packageFor(agent, { nonce: NONCE, generation: 1, store: Buffer.alloc(300 * 1024, 1) }),
    );
    expect(tooLarge.status).toBe(413);
    expect(instance.refusals.map((r) => r.status)).toEqual([401, 400, 413]);
    expect(instance.activations).toHaveLength(0);
  });

  it("an onActivated that fails leaves the instance awaiting and answers 500; the next attempt activates it", async () => {
    let failures = 1;
    const instance = await startInstance(agent, {
      onActivated: async () => {
        if (failures-- > 0) throw new Error("disk full");
      },
    });
    const options = {
      url: instance.url,
      keys: agent.keys,
      expected: { agentId: agent.keys.identity.agentId, nonce: NONCE },
      build: async () => packageFor(agent, { nonce: NONCE, generation: 5, store }),
    };
    const error = await thrown(activateInstance(options));
    expect(error).toBeInstanceOf(ActivationFailedError);
    expect(error.message).toContain("500");
    expect((await getOffer(instance.url)).state).toBe("awaiting");
    const receipt = await activateInstance(options);
    expect(receipt).toMatchObject({ generation: 5, alreadyActivated: false });
  });

  it("a silent instance: the leader gives up after its timeout, naming the URL", async () => {
    const silent = createServer(() => {
      // never answers
    });
    servers.push(silent);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const error = await thrown(
      activateInstance({
        url,
        keys: agent.keys,
        expected: { agentId: agent.keys.identity.agentId, nonce: NONCE },
        build: async () => packageFor(agent, { nonce: NONCE, generation: 1, store }),
        timeoutMs: 300,
      }),
    );
    expect(error).toBeInstanceOf(ActivationFailedError);
    expect(error.message).toContain(url);
    expect(error.message).toContain("no answer within 300 ms");
    silent.closeAllConnections();
  });
});

/** Issue 18: an upgrade's canary is activated without leading, and then promoted once. */
describe("a canary activation, then its promotion", () => {
  it("takes the canary package, answers it again, then takes one leader activation of the next generation", async () => {
    const agent = await newActivationAgent();
    const store = agentStoreImage();
    const instance = await startInstance(agent);
    const activate = (generation: number, canary: boolean) =>
      activateInstance({
        url: instance.url,
        keys: agent.keys,
        expected: { agentId: agent.keys.identity.agentId, nonce: NONCE },
        build: async () => ({
          ...packageFor(agent, { nonce: NONCE, generation, store }),
          ...(canary ? { mode: "canary" as const, syncFrom: "127.0.0.1:7777" } : {}),
        }),
        ...(canary ? { mode: "canary" as const } : {}),
      });

    const trial = await activate(2, true);
    expect(trial).toMatchObject({ generation: 2, alreadyActivated: false });
    expect(instance.activations.map((a) => [a.mode, a.syncFrom, a.generation])).toEqual([
      ["canary", "127.0.0.1:7777", 2],
    ]);
    expect(await getOffer(instance.url)).toMatchObject({ state: "canary", generation: 2 });
    // A canary watch run again after a crash: answered from the record, nothing taken again.
    expect(await activate(2, true)).toMatchObject({ generation: 2, alreadyActivated: true });
    expect(instance.activations).toHaveLength(1);

    const promoted = await activate(2, false);
    expect(promoted).toMatchObject({ generation: 2, alreadyActivated: false });
    expect(instance.activations.map((a) => a.mode ?? "leader")).toEqual(["canary", "leader"]);
    expect(await getOffer(instance.url)).toMatchObject({ state: "activated", generation: 2 });
    expect(JSON.parse(readFileSync(instance.recordPath, "utf8")).mode).toBeUndefined();
    // Promoted once: a leader activation again is a repeat, a canary one too.
    expect(await activate(2, false)).toMatchObject({ alreadyActivated: true });
    expect(instance.activations).toHaveLength(2);
  });

  it("refuses a promotion older than the canary's generation", async () => {
    const agent = await newActivationAgent();
    const store = agentStoreImage();
    const instance = await startInstance(agent);
    await activateInstance({
      url: instance.url,
      keys: agent.keys,
      expected: { agentId: agent.keys.identity.agentId, nonce: NONCE },
      build: async () => ({
        ...packageFor(agent, { nonce: NONCE, generation: 3, store }),
        mode: "canary" as const,
      }),
      mode: "canary",
    });
    const refused = await postPackage(
      instance.url,
      agent,
      packageFor(agent, { nonce: NONCE, generation: 2, store }),
    );
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatch(/activated for generation 3: a leader activation at 2 is older/);
    expect(instance.activations).toHaveLength(1);
  });
});
