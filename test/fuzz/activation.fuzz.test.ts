import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logging/index.js";
import { sendError } from "../../src/server/json-response.js";
import {
  ACTIVATION_RECORD_FILE,
  ActivationEndpoint,
  EphemeralActivationKey,
  type SealedActivation,
  sealActivationPackage,
} from "../../src/services/activation/index.js";
import { nip98Authorization } from "../../src/services/activation/nip98-authorization.js";
import {
  type ActivationAgent,
  agentStoreImage,
  expectationFor,
  newActivationAgent,
  packageFor,
  secretSpellings,
} from "../support/activation-fixtures.js";
import {
  awkwardJson,
  awkwardText,
  expectNoSecretIn,
  fuzzParameters,
  fuzzTimeout,
  withinMs,
} from "../support/input-fuzz.js";

/**
 * Activation requests to an awaiting instance's real endpoint on 127.0.0.1, fuzzed: bodies, NIP-98
 * headers, packages with a field changed and signed again by the agent's own key, complete packages
 * sealed and signed by another agent for this one's id and nonce. None may activate the instance
 * (the callback that persists a keystore is counted), each gets a 4xx refusal naming what is wrong,
 * and no answer or log line holds a secret.
 */
const NONCE = "nonce-fuzz-activation-1";
let agent: ActivationAgent;
let stranger: ActivationAgent;
let store: Buffer;
let secrets: string[] = [];
let endpoint: ActivationEndpoint;
let server: Server;
let url = "";
let target = "";
let ephemeralPubkey = "";
const dirs: string[] = [];
const activations: string[] = [];
const refusals: number[] = [];
const logLines: string[] = [];

beforeAll(async () => {
  agent = await newActivationAgent();
  stranger = await newActivationAgent();
  store = agentStoreImage();
  secrets = [...secretSpellings(agent), ...secretSpellings(stranger)];
  const dir = mkdtempSync(join(tmpdir(), "activation-fuzz-"));
  dirs.push(dir);
  endpoint = new ActivationEndpoint({
    expected: expectationFor(agent, NONCE),
    ephemeral: EphemeralActivationKey.generate(),
    recordPath: join(dir, ACTIVATION_RECORD_FILE),
    onActivated: async (opened) => {
      activations.push(opened.keys.identity.agentId);
    },
    onRefused: (_reason, status) => refusals.push(status),
    logger: createLogger({
      level: "debug",
      json: true,
      destination: { write: (line: string) => logLines.push(line) },
    }),
    maxBodyBytes: 4 * 1024 * 1024,
  });
  ephemeralPubkey = endpoint.offer().ephemeralPubkey;
  server = createServer((req, res) => {
    endpoint.handle(req, res).then(
      (handled) => handled || sendError(res, 404, "not found"),
      () => res.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  target = `${url}/api/activation`;
}, 60_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function sealedBy(
  who: ActivationAgent,
  o: { agentId?: string; nonce?: string; generation?: number } = {},
): SealedActivation {
  const pkg = {
    ...packageFor(who, { nonce: o.nonce ?? NONCE, generation: o.generation ?? 2, store }),
    ...(o.agentId === undefined ? { agentId: agent.keys.identity.agentId } : { agentId: o.agentId }),
  };
  return sealActivationPackage(pkg, who.keys.nostrKey().privateKey, ephemeralPubkey);
}

interface Attempt {
  readonly what: string;
  readonly body: Buffer;
  readonly authorization?: string;
}

const signedByAgent = (what: string, body: Buffer): Attempt => ({
  what,
  body,
  authorization: nip98Authorization(target, body, agent.keys.nostrKey().privateKey),
});

const sealedFields = [
  "version",
  "agentId",
  "nonce",
  "generation",
  "ephemeralPubkey",
  "header",
  "keystore",
  "store",
  "settings",
] as const;

const attempt: fc.Arbitrary<Attempt> = fc.oneof(
  // Anything, with no or a garbage Authorization.
  fc
    .tuple(
      fc.oneof(
        awkwardText,
        awkwardJson.map((v) => JSON.stringify(v)),
      ),
      fc.option(awkwardText, { nil: undefined }),
    )
    .map(([text, auth]) => ({
      what: "garbage",
      body: Buffer.from(text),
      ...(auth === undefined ? {} : { authorization: `Nostr ${Buffer.from(auth).toString("base64")}` }),
    })),
  // The agent's own package with one field replaced, signed again by the agent's key (auth holds).
  fc
    .tuple(fc.constantFrom(...sealedFields), fc.oneof(awkwardJson, awkwardText))
    .map(([field, value]) =>
      signedByAgent(
        `agent's package, ${field} replaced`,
        Buffer.from(JSON.stringify({ ...sealedBy(agent), [field]: value })),
      ),
    ),
  // The agent's own package with one character of a sealed part changed, signed again.
  fc
    .tuple(fc.constantFrom("header", "keystore", "store", "settings" as const), fc.nat())
    .map(([field, at]) => {
      const sealed = sealedBy(agent);
      const text = sealed[field];
      const i = at % text.length;
      const changed = `${text.slice(0, i)}${text[i] === "A" ? "B" : "A"}${text.slice(i + 1)}`;
      return signedByAgent(
        `agent's package, ${field} changed at ${i}`,
        Buffer.from(JSON.stringify({ ...sealed, [field]: changed })),
      );
    }),
  // The agent's key, but for another agent id, nonce or generation.
  fc
    .record({
      agentId: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
      nonce: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
      generation: fc.option(fc.integer({ min: -3, max: 5 }), { nil: undefined }),
    })
    .filter(
      (o) =>
        o.agentId !== undefined || o.nonce !== undefined || (o.generation !== undefined && o.generation < 1),
    )
    .map((o) =>
      signedByAgent(
        `agent's package for ${JSON.stringify(o)}`,
        Buffer.from(JSON.stringify(sealedBy(agent, o))),
      ),
    ),
  // Another agent's complete, well-sealed package naming this agent's id and nonce, signed by that agent.
  fc.constant(null).map(() => {
    const body = Buffer.from(JSON.stringify(sealedBy(stranger)));
    return {
      what: "another agent's package",
      body,
      authorization: nip98Authorization(target, body, stranger.keys.nostrKey().privateKey),
    };
  }),
  // The agent's valid package under an Authorization that does not hold (stale, other URL, other body).
  fc.constantFrom("stale", "url", "body").map((broken) => {
    const body = Buffer.from(JSON.stringify(sealedBy(agent)));
    const key = agent.keys.nostrKey().privateKey;
    const authorization =
      broken === "stale"
        ? nip98Authorization(target, body, key, Math.floor(Date.now() / 1000) - 600)
        : broken === "url"
          ? nip98Authorization(`${url}/api/activation/x`, body, key)
          : nip98Authorization(target, Buffer.concat([body, Buffer.from(" ")]), key);
    return { what: `agent's package, ${broken} authorization`, body, authorization };
  }),
);

describe("fuzzing activation requests to an awaiting instance", () => {
  it("never activates on a request that is not the agent's own valid package, and refuses each with a 4xx", {
    timeout: fuzzTimeout(60_000),
  }, async () => {
    await fc.assert(
      fc.asyncProperty(attempt, async ({ what, body, authorization }) => {
        const response = await withinMs(10_000, what, () =>
          fetch(target, {
            method: "POST",
            body,
            headers: authorization === undefined ? {} : { authorization },
          }),
        );
        const text = await response.text();
        expect([400, 401, 403, 409, 413], `${what}: ${response.status} ${text}`).toContain(response.status);
        expect(typeof (JSON.parse(text) as { error?: unknown }).error).toBe("string");
        expectNoSecretIn(text, secrets, `the answer to ${what}`);
        expect(activations, what).toEqual([]);
        expect(endpoint.activated).toBe(false);
      }),
      fuzzParameters(40),
    );
    expect(refusals.length).toBeGreaterThan(0);
    expectNoSecretIn(logLines.join("\n"), secrets, "the instance's log");
  });

  it("answers GET and odd paths without acting", async () => {
    for (const [method, path] of [
      ["GET", "/api/activation"],
      ["HEAD", "/api/activation"],
      ["PUT", "/api/activation"],
      ["GET", "/api/activation?x=1"],
    ] as const) {
      const response = await fetch(`${url}${path}`, { method });
      expect([200, 405]).toContain(response.status);
      expectNoSecretIn(await response.text(), secrets, `${method} ${path}`);
    }
    // Found with the admin fuzzer: a request target that is not a URL path (`//`) made handle() throw.
    const odd = await fetch(`${url}//`);
    expect(odd.status).toBe(404);
    expect(activations).toEqual([]);
  });

  // The check can fail: the agent's own valid package does activate the instance.
  it("activates on the agent's own package, signed by the agent", async () => {
    const body = Buffer.from(JSON.stringify(sealedBy(agent)));
    const response = await fetch(target, {
      method: "POST",
      body,
      headers: { authorization: nip98Authorization(target, body, agent.keys.nostrKey().privateKey) },
    });
    expect(response.status).toBe(200);
    expect(activations).toEqual([agent.keys.identity.agentId]);
  });
});
