import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import fc from "fast-check";
import { npubEncode } from "nostr-tools/nip19";
import { finalizeEvent, generateSecretKey, getPublicKey } from "nostr-tools/pure";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logging/index.js";
import type { AgentRuntime } from "../../src/runtime/agent-runtime.js";
import { ADMIN_ACTIONS, AdminApi } from "../../src/server/admin-api.js";
import { AgentHttpServer } from "../../src/server/agent-http-server.js";
import type { AgentMetrics } from "../../src/server/agent-metrics.js";
import type { AgentSystemView } from "../../src/server/agent-system-view.js";
import { SeenAuthEvents } from "../../src/server/seen-auth-events.js";
import type { AgentRelay } from "../../src/services/relay/index.js";
import {
  awkwardJson,
  awkwardText,
  expectNoSecretIn,
  fuzzParameters,
  fuzzTimeout,
  withinMs,
} from "../support/input-fuzz.js";

/**
 * The agent's real HTTP server and admin API on 127.0.0.1, with the actor system replaced by counters:
 * every way an admin call could act (an event to a child, a command to the root, a journalled input)
 * is counted, and a fuzzed request must leave every counter at zero.
 */
const operator = generateSecretKey();
const stranger = generateSecretKey();
const agentKey = generateSecretKey();
const SECRETS = [operator, stranger, agentKey].map((key) => Buffer.from(key).toString("hex"));
const LEASE = {
  dseq: "4242",
  gseq: 1,
  oseq: 1,
  provider: "akash1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq",
  hostUri: "https://provider.example:8443",
  uris: [],
};

const acted: string[] = [];
const logLines: string[] = [];
const processErrors: unknown[] = [];
const onProcessError = (error: unknown) => processErrors.push(error);
let server: AgentHttpServer;
let seen: SeenAuthEvents;
let host = "";
let port = 0;
let dir = "";

function authorization(
  secret: Uint8Array,
  o: { url: string; method: string; body?: string; kind?: number; createdAt?: number; tags?: string[][] },
): string {
  const tags = o.tags ?? [
    ["u", o.url],
    ["method", o.method],
    ...(o.body ? [["payload", createHash("sha256").update(o.body).digest("hex")]] : []),
  ];
  const event = finalizeEvent(
    { kind: o.kind ?? 27235, created_at: o.createdAt ?? Math.floor(Date.now() / 1000), tags, content: "" },
    secret,
  );
  return `Nostr ${Buffer.from(JSON.stringify(event)).toString("base64")}`;
}

beforeAll(async () => {
  process.on("uncaughtException", onProcessError);
  process.on("unhandledRejection", onProcessError);
  dir = mkdtempSync(join(tmpdir(), "admin-fuzz-"));
  seen = new SeenAuthEvents(dir);
  const logger = createLogger({
    level: "debug",
    json: true,
    destination: { write: (line: string) => logLines.push(line) },
  });
  const runtime = {
    send: (command: { type: string }) => acted.push(`runtime ${command.type}`),
    actor: { send: (event: { type: string }) => acted.push(`actor ${event.type}`) },
    persister: { recordInput: (input: { type: string }) => acted.push(`journal ${input.type}`) },
  } as unknown as AgentRuntime;
  const view = {
    send: (id: string, event: { type: string }) => {
      acted.push(`${id} ${event.type}`);
      return true;
    },
    currentLease: () => LEASE,
  } as unknown as AgentSystemView;
  const admin = new AdminApi({
    runtime,
    view,
    logger,
    ownPubkey: getPublicKey(agentKey),
    npubs: [npubEncode(getPublicKey(operator))],
  });
  server = new AgentHttpServer({
    host: "127.0.0.1",
    port: 0,
    relay: {
      handleUpgrade: (_req: IncomingMessage, socket: Duplex) => socket.destroy(),
      nip11: {},
    } as unknown as AgentRelay,
    metrics: { render: async () => ({ contentType: "text/plain", body: "" }) } as unknown as AgentMetrics,
    admin,
    seen,
    logger,
    status: () => ({ state: "active" }),
    notReady: async () => [],
  });
  const url = new URL(await server.listen());
  host = url.host;
  port = Number(url.port);
});

afterAll(async () => {
  await server?.close();
  seen?.close();
  process.off("uncaughtException", onProcessError);
  process.off("unhandledRejection", onProcessError);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** One raw HTTP/1.1 exchange over a socket, so request lines fetch would refuse to send can be sent. */
function rawRequest(head: string, body = ""): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("end", () => resolve(Buffer.concat(chunks).toString("latin1")));
    socket.on("error", (error) =>
      chunks.length > 0 ? resolve(Buffer.concat(chunks).toString("latin1")) : reject(error),
    );
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("latin1")));
    socket.end(
      `${head}\r\nhost: ${host}\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
}

/** What an HTTP client can put in a header: latin-1 without control characters (others become `?`). */
const asHeaderValue = (text: string) => text.replace(/[^\x20-\x7e\xa0-\xff]/g, "?").trim() || "?";

async function expectAlive(): Promise<void> {
  const health = await fetch(`http://${host}/healthz`);
  expect(health.status).toBe(200);
  expect(processErrors).toEqual([]);
}

const action = fc.constantFrom(...ADMIN_ACTIONS);
const body = fc.oneof(
  fc.constant(""),
  awkwardText,
  awkwardJson.map((value) => JSON.stringify(value)),
  fc.constantFrom(
    '{"key":"nostr"}',
    '{"avoidProvider":"akash1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"}',
    '{"admin":{"npubs":[]}}',
    "{}",
  ),
);

/** An Authorization header that must not pass: garbage, a stranger's, or the operator's with one rule broken. */
const badAuthorization = (url: string, method: string, text: string) =>
  fc.oneof(
    awkwardText,
    awkwardText.map((value) => `Nostr ${value}`),
    awkwardJson.map((value) => `Nostr ${Buffer.from(JSON.stringify(value)).toString("base64")}`),
    fc.constant(null).map(() => authorization(stranger, { url, method, body: text })),
    fc.constant(null).map(() => authorization(operator, { url, method, body: text, kind: 1 })),
    fc.integer({ min: 61, max: 10_000_000 }).chain((skew) =>
      fc.constantFrom(-skew, skew).map((offset) =>
        authorization(operator, {
          url,
          method,
          body: text,
          createdAt: Math.floor(Date.now() / 1000) + offset,
        }),
      ),
    ),
    fc.constant(null).map(() => authorization(operator, { url: `${url}x`, method, body: text })),
    fc.constant(null).map(() => authorization(operator, { url, method: "GET", body: text })),
    fc.constant(null).map(() => authorization(operator, { url, method, body: `${text} ` })),
    fc
      .array(fc.array(awkwardText, { maxLength: 3 }), { maxLength: 4 })
      .map((tags) => authorization(operator, { url, method, tags })),
    // A valid event whose JSON was changed after signing (one character of the id, the sig or a tag).
    fc.nat().map((at) => {
      const event = JSON.parse(
        Buffer.from(authorization(operator, { url, method, body: text }).slice(6), "base64").toString(),
      ) as Record<string, unknown>;
      const field = (["id", "sig", "pubkey"] as const)[at % 3] ?? "id";
      const value = event[field] as string;
      const i = at % value.length;
      event[field] = `${value.slice(0, i)}${value[i] === "0" ? "1" : "0"}${value.slice(i + 1)}`;
      return `Nostr ${Buffer.from(JSON.stringify(event)).toString("base64")}`;
    }),
  );

describe("fuzzing the admin API (NIP-98 headers and bodies against the real routes)", () => {
  it("never acts on a request whose NIP-98 authorization does not hold, and always answers an error", {
    timeout: fuzzTimeout(60_000),
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .tuple(action, body, fc.constantFrom("POST", "PUT", "GET", "DELETE"))
          .chain(([name, text, method]) =>
            fc.tuple(
              fc.constant({ name, text, method }),
              badAuthorization(`http://${host}/api/admin/${name}`, method, text),
            ),
          ),
        async ([{ name, text, method }, header]) => {
          const url = `http://${host}/api/admin/${name}`;
          const response = await withinMs(5_000, `${method} ${url}`, () =>
            fetch(url, {
              method,
              headers: { authorization: asHeaderValue(header) },
              ...(method === "GET" || text === "" ? {} : { body: text }),
            }),
          );
          const answer = (await response.json()) as { error?: unknown };
          expect([401, 403, 405]).toContain(response.status);
          expect(typeof answer.error).toBe("string");
          expect(acted).toEqual([]);
        },
      ),
      fuzzParameters(150),
    );
    await expectAlive();
    expectNoSecretIn(logLines.join("\n"), SECRETS, "the log");
  });

  it("never acts on an unknown action or a request line the server must refuse, and stays up", {
    timeout: fuzzTimeout(60_000),
  }, async () => {
    const path = fc.oneof(
      fc.constantFrom(
        "//",
        "//a b",
        "/\\\\",
        "//@",
        "//:99999",
        "/api/admin//pause",
        "/api/admin/pause/../pause",
        "/api/admin/%2e%2e",
        "*",
        "http://[",
        "/api/admin/",
      ),
      fc.string({ maxLength: 20 }).map((rest) => `/api/admin/${encodeURIComponent(rest)}`),
      fc.stringMatching(/^\/[\x21-\x7e]{0,24}$/),
    );
    await fc.assert(
      fc.asyncProperty(
        path,
        fc.constantFrom("GET", "POST", "HEAD"),
        fc.boolean(),
        async (target, method, upgrade) => {
          const head = `${method} ${target} HTTP/1.1${upgrade ? "\r\nupgrade: websocket\r\nconnection: upgrade\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==" : ""}`;
          const answer = await withinMs(5_000, head, () => rawRequest(head, method === "POST" ? "{}" : ""));
          const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
          // A refusal or a public read; no admin action without a signature (a closed socket reads as 0).
          expect(
            status === 0 || status === 101 || status === 200 || (status >= 400 && status < 500),
            answer,
          ).toBe(true);
          expect(acted).toEqual([]);
          expect(processErrors).toEqual([]);
        },
      ),
      fuzzParameters(100),
    );
    await expectAlive();
  });

  // The fuzzer's check can fail: the operator's own, correctly signed call does act (once: a replay does not).
  it("acts on the operator's signed call once, and refuses its replay", async () => {
    const url = `http://${host}/api/admin/pause`;
    const headers = { authorization: authorization(operator, { url, method: "POST" }) };
    expect((await fetch(url, { method: "POST", headers })).status).toBe(200);
    expect(acted).toEqual(["health HEALTH.UNWATCH"]);
    expect((await fetch(url, { method: "POST", headers })).status).toBe(401);
    expect(acted).toEqual(["health HEALTH.UNWATCH"]);
    acted.length = 0;
  });

  // Found by this fuzzer: a request line whose path is not a URL (`GET //`) made the route's error
  // handler throw (an unhandled rejection: the agent process exits), and a WebSocket upgrade on such a
  // path threw in the server's upgrade listener (an uncaught exception).
  it("answers 404 to a request for a path that is not a URL (`//`), with or without an upgrade", async () => {
    for (const upgrade of ["", "\r\nupgrade: websocket\r\nconnection: upgrade"]) {
      const answer = await rawRequest(`GET // HTTP/1.1${upgrade}`);
      expect(answer).toMatch(/^HTTP\/1\.1 404 /);
    }
    await expectAlive();
  });

  // Found by this fuzzer: the payload tag was checked only when the request had a body, so a signed
  // `migrate {"avoidProvider": …}` sent with its body dropped was accepted as a bare `migrate`.
  it("refuses a signed call whose body was dropped (its payload tag names a body)", async () => {
    const url = `http://${host}/api/admin/migrate`;
    const signedBody = JSON.stringify({ avoidProvider: LEASE.provider });
    const headers = { authorization: authorization(operator, { url, method: "POST", body: signedBody }) };
    const response = await fetch(url, { method: "POST", headers });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: "the NIP-98 event's payload tag is not the sha256 of the body",
    });
    expect(acted).toEqual([]);
  });
});
