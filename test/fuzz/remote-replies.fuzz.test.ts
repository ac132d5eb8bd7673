import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { Secp256k1HdWallet } from "@cosmjs/amino";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateProviderCertificate } from "../../src/devnet/provider/provider-certificate.js";
import { EffectError } from "../../src/domain/effect-failure.js";
import { ConsoleDirectory } from "../../src/services/akash/console-directory.js";
import { ProviderCertificates } from "../../src/services/akash/provider-certificates.js";
import { ProviderGatewayClient } from "../../src/services/akash/provider-gateway-client.js";
import { ProviderTokens } from "../../src/services/akash/provider-tokens.js";
import { generateMnemonic } from "../../src/services/keys/index.js";
import {
  awkwardJson,
  awkwardText,
  expectNoSecretIn,
  fuzzParameters,
  fuzzTimeout,
  mnemonicSpellings,
  withinMs,
} from "../support/input-fuzz.js";

/**
 * Replies from a provider's gateway (lease status, manifest upload) and from the Console API, fuzzed
 * and served from loopback servers so that the real clients (pinned HTTPS with AEP-64 tokens; fetch)
 * read them: every reply gives a parsed value or an EffectError naming the request, within the
 * client's timeout, with no secret in it.
 */
const MNEMONIC = generateMnemonic().reveal();
const SECRETS = mnemonicSpellings(MNEMONIC);
const PROVIDER = "akash1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq";
const TIMEOUT_MS = 200;
const LEASE = { dseq: "4242", gseq: 1, oseq: 1, provider: PROVIDER };

/** How the server answers one request. */
type Reply =
  | { kind: "answer"; status: number; body: string }
  | { kind: "silent" }
  | { kind: "trickle"; status: number }
  | { kind: "cut"; status: number; body: string }
  | { kind: "reset" };

let reply: Reply = { kind: "silent" };
const open = new Set<ServerResponse>();

function serve(req: IncomingMessage, res: ServerResponse): void {
  open.add(res);
  res.on("close", () => open.delete(res));
  req.resume();
  req.on("end", () => {
    switch (reply.kind) {
      case "answer":
        res.writeHead(reply.status, { "content-type": "application/json" });
        res.end(reply.body);
        return;
      case "silent":
        return;
      case "trickle":
        res.writeHead(reply.status, { "content-type": "application/json" });
        res.write('{"services":');
        return;
      case "cut":
        res.writeHead(reply.status, { "content-length": String(Buffer.byteLength(reply.body) + 100) });
        res.write(reply.body);
        setTimeout(() => res.destroy(), 5).unref();
        return;
      case "reset":
        req.socket.destroy();
        return;
    }
  });
}

const status = fc.oneof(
  { weight: 5, arbitrary: fc.constant(200) },
  { weight: 1, arbitrary: fc.constant(404) },
  { weight: 3, arbitrary: fc.constantFrom(201, 204, 301, 400, 401, 403, 429, 500, 502, 503) },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 599 }) },
);

/** A lease status shaped like the provider's, with any field possibly wrong. */
const leaseStatusBody = fc
  .record(
    {
      services: fc.oneof(
        fc.constant(null),
        awkwardJson,
        fc.dictionary(
          fc.string({ maxLength: 10 }),
          fc.record(
            {
              name: fc.oneof(fc.string({ maxLength: 10 }), awkwardJson),
              total: fc.oneof(fc.integer(), fc.double(), awkwardJson),
              available: fc.oneof(fc.integer(), awkwardJson),
              ready_replicas: fc.oneof(fc.integer(), awkwardJson),
              uris: fc.oneof(fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }), awkwardJson),
            },
            { requiredKeys: [] },
          ),
          { maxKeys: 3 },
        ),
      ),
      forwarded_ports: fc.oneof(
        fc.constant(null),
        awkwardJson,
        fc.dictionary(
          fc.string({ maxLength: 10 }),
          fc.array(
            fc.record(
              {
                host: fc.oneof(fc.string({ maxLength: 10 }), awkwardJson),
                port: fc.oneof(fc.integer(), awkwardJson),
                externalPort: fc.oneof(fc.integer(), awkwardJson),
                proto: fc.oneof(fc.constantFrom("TCP", "UDP"), awkwardJson),
              },
              { requiredKeys: [] },
            ),
            { maxLength: 2 },
          ),
          { maxKeys: 2 },
        ),
      ),
    },
    { requiredKeys: [] },
  )
  .map((value) => JSON.stringify(value));

/** A valid Console API entry for the provider asked about (so some replies are read through). */
const validProvider = fc.record({
  owner: fc.constant(PROVIDER),
  hostUri: fc.constant("https://provider.example:8443"),
  isOnline: fc.boolean(),
  isAudited: fc.boolean(),
  uptime1d: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
  uptime7d: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
  uptime30d: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
  attributes: fc.array(fc.record({ key: fc.string({ maxLength: 8 }), value: fc.string({ maxLength: 8 }) }), {
    maxLength: 2,
  }),
});

/** A Console API provider list shaped like the real one, with any field possibly wrong. */
const fuzzedProviderListBody = fc
  .array(
    fc.record(
      {
        owner: fc.oneof(fc.constant(PROVIDER), fc.string({ maxLength: 12 }), awkwardJson),
        hostUri: fc.oneof(fc.constant("https://provider.example:8443"), awkwardJson),
        isOnline: fc.oneof(fc.boolean(), awkwardJson),
        isAudited: fc.oneof(fc.boolean(), awkwardJson),
        uptime1d: fc.oneof(fc.double({ min: 0, max: 1 }), fc.double(), awkwardJson),
        uptime7d: fc.oneof(fc.double({ min: 0, max: 1 }), fc.constant(null)),
        uptime30d: fc.oneof(fc.double({ min: 0, max: 1 }), awkwardJson),
        attributes: fc.oneof(
          fc.array(
            fc.record({
              key: fc.string({ maxLength: 8 }),
              value: fc.oneof(fc.string({ maxLength: 8 }), awkwardJson),
            }),
            { maxLength: 3 },
          ),
          awkwardJson,
        ),
      },
      { requiredKeys: [] },
    ),
    { maxLength: 4 },
  )
  .map((value) => JSON.stringify(value));

const providerListBody = fc.oneof(
  fuzzedProviderListBody,
  fc.array(validProvider, { minLength: 1, maxLength: 2 }).map((value) => JSON.stringify(value)),
);

const replyOf = (body: fc.Arbitrary<string>): fc.Arbitrary<Reply> =>
  fc.oneof(
    {
      weight: 12,
      arbitrary: fc.record({
        kind: fc.constant("answer" as const),
        status,
        body: fc.oneof(
          body,
          awkwardText,
          awkwardJson.map((v) => JSON.stringify(v)),
        ),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: "silent" as const }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("trickle" as const), status }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("cut" as const), status, body }) },
    { weight: 1, arbitrary: fc.constant({ kind: "reset" as const }) },
  );

function expectEffectError(error: unknown, kinds: readonly string[], startsWith: string): void {
  if (!(error instanceof EffectError)) throw error;
  expect(kinds).toContain(error.kind);
  expect(error.message.startsWith(startsWith), error.message).toBe(true);
  expectNoSecretIn(`${error.message} ${String(error.cause ?? "")}`, SECRETS, "a provider/Console error");
}

const servers: Server[] = [];
const listen = async (server: Server): Promise<number> => {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
};

let gateway: ProviderGatewayClient;
let hostUri = "";
let directory: ConsoleDirectory;

beforeAll(async () => {
  const certificate = generateProviderCertificate(PROVIDER, "127.0.0.1");
  const httpsPort = await listen(
    createHttpsServer(
      { cert: certificate.certPem, key: certificate.privateKeyPem },
      serve,
    ) as unknown as Server,
  );
  hostUri = `https://127.0.0.1:${httpsPort}`;
  const wallet = await Secp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "akash" });
  const [account] = await wallet.getAccounts();
  gateway = new ProviderGatewayClient({
    certificates: new ProviderCertificates(async () => [certificate.certPem], 60_000, Date.now),
    tokens: new ProviderTokens({
      issuer: account!.address,
      signer: wallet,
      lifetimeSeconds: 600,
      renewBeforeSeconds: 60,
      now: Date.now,
    }),
    requestTimeoutMs: TIMEOUT_MS,
    manifestTimeoutMs: TIMEOUT_MS,
  });
  const consolePort = await listen(createHttpServer(serve));
  directory = new ConsoleDirectory(`http://127.0.0.1:${consolePort}`, TIMEOUT_MS);
});

afterAll(async () => {
  for (const res of open) res.destroy();
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A client's own timeout plus a 401 retry and slack: past this, the client hangs. */
const BOUND_MS = 3 * TIMEOUT_MS + 1_500;

/** Outcomes seen, so a generator that stopped producing readable replies (or errors) fails the test. */
const seen = new Map<string, number>();
const note = (outcome: string) => seen.set(outcome, (seen.get(outcome) ?? 0) + 1);

describe("fuzzing replies from providers and the Console API", () => {
  it("reads every lease-status reply as a status, null (404) or an EffectError naming the request", {
    timeout: fuzzTimeout(60_000),
  }, async () => {
    await fc.assert(
      fc.asyncProperty(replyOf(leaseStatusBody), async (given) => {
        reply = given;
        try {
          const result = await withinMs(BOUND_MS, "leaseStatus", () =>
            gateway.leaseStatus({ lease: LEASE, hostUri }),
          );
          expect(given.kind).toBe("answer");
          if (given.kind !== "answer") return;
          note(result === null ? "status null" : "status read");
          if (result === null) {
            expect(given.status).toBe(404);
            return;
          }
          expect(given.status).toBe(200);
          for (const service of result.services) {
            expect(typeof service.name).toBe("string");
            expect(Number.isFinite(service.total)).toBe(true);
            expect(Number.isFinite(service.ready)).toBe(true);
            expect(service.uris.every((uri) => typeof uri === "string")).toBe(true);
          }
          for (const port of result.forwardedPorts) {
            expect(typeof port.host).toBe("string");
            expect(Number.isFinite(port.port) && Number.isFinite(port.externalPort)).toBe(true);
          }
        } catch (error) {
          note(`status ${(error as EffectError).kind}`);
          expectEffectError(
            error,
            ["provider", "retryable"],
            `lease status of ${LEASE.dseq}/1/1 from ${PROVIDER}`,
          );
        }
      }),
      fuzzParameters(60),
    );
  });

  it("ends every manifest upload as accepted (200) or an EffectError naming the upload", {
    timeout: fuzzTimeout(60_000),
  }, async () => {
    await fc.assert(
      fc.asyncProperty(replyOf(awkwardText), async (given) => {
        reply = given;
        try {
          await withinMs(BOUND_MS, "sendManifest", () =>
            gateway.sendManifest({ lease: LEASE, hostUri, manifestJson: '[{"name":"dcloud"}]' }),
          );
          expect(given.kind === "answer" && given.status === 200).toBe(true);
        } catch (error) {
          expectEffectError(
            error,
            ["provider", "retryable"],
            `send the manifest of ${LEASE.dseq} to ${PROVIDER}`,
          );
        }
      }),
      fuzzParameters(30),
    );
  });

  it("reads every Console API reply as providers it asked for or an EffectError naming the API", {
    timeout: fuzzTimeout(60_000),
  }, async () => {
    await fc.assert(
      fc.asyncProperty(replyOf(providerListBody), async (given) => {
        reply = given;
        try {
          const providers = await withinMs(BOUND_MS, "providers", () => directory.providers([PROVIDER]));
          note(providers.length > 0 ? "console providers" : "console none");
          expect(given.kind === "answer" && given.status >= 200 && given.status < 300).toBe(true);
          for (const provider of providers) {
            expect(provider.owner).toBe(PROVIDER);
            for (const uptime of [provider.uptime1d, provider.uptime7d, provider.uptime30d]) {
              expect(uptime === null || (uptime >= 0 && uptime <= 1)).toBe(true);
            }
          }
        } catch (error) {
          note(`console ${(error as EffectError).kind}`);
          expectEffectError(error, ["retryable", "fatal"], "Console API http://127.0.0.1:");
        }
      }),
      fuzzParameters(60),
    );
  });

  it("saw every kind of outcome", () => {
    for (const outcome of [
      "status read",
      "status null",
      "status provider",
      "status retryable",
      "console providers",
      "console none",
      "console retryable",
      "console fatal",
    ]) {
      expect(seen.get(outcome) ?? 0, outcome).toBeGreaterThan(0);
    }
  });
});
