import { npubEncode } from "nostr-tools/nip19";
import { finalizeEvent, generateSecretKey, getPublicKey } from "nostr-tools/pure";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { AGENT_MACHINE_ID } from "../../../src/runtime/agent-runtime.js";
import { packageVersion } from "../../../src/runtime/agent-version.js";
import { leaseViewFromPersisted } from "../../../src/runtime/lease-view.js";
import { callAdmin } from "../../../src/server/admin-client.js";
import { generateMnemonic } from "../../../src/services/keys/index.js";
import { secretBytes } from "../../../src/services/keys/secret.js";
import { runCli } from "../../../support/run-cli.js";
import { startTestAgentProcess, type TestAgentProcess } from "../../support/agent-process-harness.js";
import { DEFAULT_AGENT_IMAGE, startTestDevnet, waitFor } from "../../support/devnet.js";
import { tolerateIdleGoaway } from "../../support/idle-goaway.js";

const sha256Hex = async (text: string) =>
  Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))).toString("hex");

/** A NIP-98 Authorization header built by hand, so each rule can be broken on purpose. */
function authorization(
  secret: Uint8Array,
  tags: string[][],
  overrides: { kind?: number; createdAt?: number } = {},
): string {
  const event = finalizeEvent(
    {
      kind: overrides.kind ?? 27235,
      created_at: overrides.createdAt ?? Math.floor(Date.now() / 1000),
      tags,
      content: "",
    },
    secret,
  );
  return `Nostr ${Buffer.from(JSON.stringify(event)).toString("base64")}`;
}

async function post(url: string, headers: Record<string, string>, body?: string) {
  const response = await fetch(url, { method: "POST", headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  return { status: response.status, text, json: JSON.parse(text) as Record<string, unknown> };
}

/**
 * The agent as a service on the devnet: its HTTP routes (health, readiness, status, Prometheus
 * metrics, NIP-11) and the NIP-98 admin API, each refusal with its status, against a running agent.
 */
describe("the agent's HTTP routes and admin API", { timeout: 90_000 }, () => {
  let devnet: DevnetHandle;
  let agent: TestAgentProcess;
  const operator = generateSecretKey();
  const stranger = generateSecretKey();

  beforeAll(async () => {
    tolerateIdleGoaway();
    devnet = await startTestDevnet({ blockTimeMs: 100 });
    agent = await startTestAgentProcess(devnet, {
      settings: { "admin.npubs": [npubEncode(getPublicKey(operator))] },
    });
    await agent.until("active");
  });

  afterAll(async () => {
    await agent?.close();
    await devnet?.stop();
  });

  it("answers /healthz, /readyz (503 with the reason while the chain is unreachable) and NIP-11", async () => {
    expect(await (await fetch(`${agent.url}/healthz`)).json()).toEqual({ ok: true });
    const ready = await fetch(`${agent.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, reasons: [] });

    await fetch(`${devnet.control}/rpc/fault`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ target: "all", kind: "error" }),
    });
    try {
      const down = await fetch(`${agent.url}/readyz`);
      expect(down.status).toBe(503);
      const body = (await down.json()) as { ready: boolean; reasons: string[] };
      expect(body.ready).toBe(false);
      expect(body.reasons).toEqual([expect.stringMatching(/^the chain is not reachable/)]);
    } finally {
      await fetch(`${devnet.control}/rpc/clear`, { method: "POST", body: "{}" });
    }

    const nip11 = await fetch(`${agent.url}/`, { headers: { accept: "application/nostr+json" } });
    expect(nip11.headers.get("content-type")).toBe("application/nostr+json");
    expect(await nip11.json()).toMatchObject({
      supported_nips: [1, 11, 42],
      pubkey: agent.keys.identity.nostrPubkey,
    });
  });

  it("serves the live page on / and its frames on /live, beside the relay on the same port", async () => {
    const page = await fetch(`${agent.url}/`, { headers: { accept: "text/html" } });
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain('data-state="lease.active.monitoring"');

    const socket = new WebSocket(`${agent.url.replace(/^http/, "ws")}/live`);
    const frames: Array<{ type: string; sessionId?: string }> = [];
    socket.on("message", (data) => frames.push(JSON.parse(String(data))));
    try {
      await waitFor(
        () => (frames.some((frame) => frame.type === "@xstate.snapshot") ? true : undefined),
        10_000,
        "a replayed snapshot frame",
      );
      expect(frames.some((frame) => frame.type === "@xstate.actor")).toBe(true);
      const text = JSON.stringify(frames);
      const words = agent.mnemonic.split(" ");
      for (let at = 0; at + 3 <= words.length; at += 3) {
        expect(text).not.toContain(words.slice(at, at + 3).join(" "));
      }
    } finally {
      socket.close();
    }
  });

  it("serves /api/status: the JSON of `status --json` plus each actor's state and the version", async () => {
    const status = (await (await fetch(`${agent.url}/api/status`)).json()) as Record<string, unknown>;
    agent.runtime.persister.flush();
    const stored = agent.store.snapshots.latest(AGENT_MACHINE_ID);
    const statusCommandView = leaseViewFromPersisted(JSON.parse(stored!.snapshotJson));
    const { actors, leadership, version, ...lease } = status;
    expect(lease).toEqual(statusCommandView);
    // Outside a provider (no AGENT_IMAGE_TAG) the image is agent.image as configured.
    expect(version).toEqual({ package: packageVersion(), image: DEFAULT_AGENT_IMAGE });
    // A bootstrap that never handed over leads as generation 0.
    expect(leadership).toEqual({ generation: 0, state: "leading" });
    expect(lease).toMatchObject({
      state: expect.stringMatching(/^active/),
      provider: expect.stringMatching(/^akash1/),
    });
    expect(actors).toMatchObject({
      agent: { state: "running.operating", status: "active" },
      lease: { state: expect.stringMatching(/^active/) },
      health: { state: expect.any(String) },
      keys: { state: expect.any(String) },
      treasury: { state: expect.any(String) },
      reproduction: { state: expect.any(String) },
    });
  });

  it("exposes Prometheus metrics that a text-format parser reads, with bounded labels and no secrets", async () => {
    await waitFor(() => (agent.view.balances() ? true : undefined), 10_000, "a balance reading");
    const response = await fetch(`${agent.url}/metrics`);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const families = new Map(parsePrometheusTextFormat(text).map((family) => [family.name, family]));
    const value = (name: string, labels: Record<string, string> = {}) =>
      families
        .get(name)
        ?.metrics.find((metric) => Object.entries(labels).every(([key, v]) => metric.labels?.[key] === v))
        ?.value;

    expect(value("akash_agent_info", { version: packageVersion(), image: DEFAULT_AGENT_IMAGE })).toBe("1");
    expect(families.get("akash_agent_info")?.metrics).toHaveLength(1);
    expect(value("akash_agent_lease_state", { state: "active" })).toBe("1");
    expect(value("akash_agent_lease_state", { state: "undeployed" })).toBe("0");
    expect(Number(value("akash_agent_escrow_runway_hours"))).toBeGreaterThan(0);
    expect(Number(value("akash_agent_balance", { denom: "akt" }))).toBeGreaterThan(0);
    expect(Number(value("akash_agent_bids_seen"))).toBeGreaterThanOrEqual(1);
    expect(value("akash_agent_bid_score", { bid: "chosen" })).toBeDefined();
    expect(families.get("akash_agent_tx_latency_seconds")?.type).toBe("HISTOGRAM");
    const latency = families.get("akash_agent_tx_latency_seconds")?.metrics ?? [];
    expect(latency.length).toBeGreaterThan(0);
    expect(Number(value("akash_agent_transitions_total", { actor: "lease" }))).toBeGreaterThan(0);
    expect(Number(value("akash_agent_persistence_writes_total"))).toBeGreaterThan(0);
    expect(value("akash_agent_alerts", { severity: "critical" })).toBeDefined();
    expect(value("akash_agent_health_check", { finding: "provider_reachable" })).toBe("1");
    expect(value("akash_agent_relay_connections")).toBeDefined();
    expect(families.has("process_cpu_user_seconds_total")).toBe(true);
    expect(families.has("nodejs_eventloop_lag_seconds")).toBe(true);
    // Bounded label values: no account, provider or key appears as a label.
    expect(text).not.toMatch(/akash1[02-9ac-hj-np-z]{38}/);
    // Runs of three words: a single BIP39 word ("mean", "process") may well be in a metric's help text.
    const words = agent.mnemonic.split(" ");
    for (let at = 0; at + 3 <= words.length; at += 1) {
      expect(text).not.toContain(words.slice(at, at + 3).join(" "));
    }
    expect(text).not.toContain(agent.keys.nostrKey().nsec.reveal());
  });

  it("refuses admin calls: 401 without or with a bad signature, 403 for a stranger, 401 replayed, 400 bad body", async () => {
    const url = `${agent.url}/api/admin/pause`;
    const missing = await post(url, {});
    expect(missing.status).toBe(401);
    expect(missing.text.trim().split("\n")).toHaveLength(1);
    expect(missing.json.error).toMatch(/missing Authorization/);

    // A harmless call (the monitor already watches this lease) for the replay check.
    const resumeUrl = `${agent.url}/api/admin/resume`;
    const good = authorization(operator, [
      ["u", resumeUrl],
      ["method", "POST"],
    ]);
    const event = JSON.parse(Buffer.from(good.slice(6), "base64").toString()) as { sig: string };
    const forged = `Nostr ${Buffer.from(
      JSON.stringify({ ...event, sig: `${event.sig.slice(0, -2)}${event.sig.endsWith("00") ? "11" : "00"}` }),
    ).toString("base64")}`;
    expect((await post(url, { authorization: forged })).status).toBe(401);
    expect((await post(url, { authorization: "Nostr !!!" })).status).toBe(401);
    const wrongUrl = authorization(operator, [
      ["u", `${agent.url}/api/admin/resume`],
      ["method", "POST"],
    ]);
    expect((await post(url, { authorization: wrongUrl })).json.error).toMatch(/u tag/);
    const wrongMethod = authorization(operator, [
      ["u", url],
      ["method", "GET"],
    ]);
    expect((await post(url, { authorization: wrongMethod })).json.error).toMatch(/method tag/);
    const stale = authorization(
      operator,
      [
        ["u", url],
        ["method", "POST"],
      ],
      {
        createdAt: Math.floor(Date.now() / 1000) - 120,
      },
    );
    expect((await post(url, { authorization: stale })).json.error).toMatch(/created_at/);
    const wrongKind = authorization(
      operator,
      [
        ["u", url],
        ["method", "POST"],
      ],
      { kind: 1 },
    );
    expect((await post(url, { authorization: wrongKind })).status).toBe(401);
    const body = JSON.stringify({});
    const noPayload = authorization(operator, [
      ["u", url],
      ["method", "POST"],
    ]);
    const unhashed = await post(url, { authorization: noPayload, "content-type": "application/json" }, body);
    expect(unhashed.status).toBe(401);
    expect(unhashed.json.error).toMatch(/payload tag/);

    const fromStranger = await callAdmin({
      url: agent.url,
      action: "pause",
      privateKey: secretBytes(stranger),
    });
    expect(fromStranger).toEqual({ status: 403, json: { error: expect.stringMatching(/not an admin/) } });

    // The operator's signed request works once; the same header again is a replay.
    const once = await post(resumeUrl, { authorization: good });
    expect(once.status).toBe(200);
    const replay = await post(resumeUrl, { authorization: good });
    expect(replay.status).toBe(401);
    expect(replay.json.error).toMatch(/used already/);

    const bad = await callAdmin({
      url: agent.url,
      action: "rotate-keys",
      body: { key: "everything" },
      privateKey: secretBytes(operator),
    });
    expect(bad.status).toBe(400);
    expect((bad.json as { error: string }).error).toMatch(/^bad body for rotate-keys: key: /);
    const unknownSetting = await callAdmin({
      url: agent.url,
      action: "config",
      body: { budget: { targetUsdPerDay: 100 } },
      privateKey: secretBytes(operator),
    });
    expect(unknownSetting).toEqual({
      status: 400,
      json: { error: "bad body for config: body: unknown setting budget" },
    });
    const notJson = authorization(operator, [
      ["u", url],
      ["method", "POST"],
      ["payload", await sha256Hex("{nope")],
    ]);
    expect((await post(url, { authorization: notJson }, "{nope")).status).toBe(400);
  });

  it("pauses and resumes the health monitor with the agent's own key and the operator's", async () => {
    await waitFor(() => (agent.view.healthWatching() ? true : undefined), 10_000, "health watching");
    const own = agent.keys.nostrKey().privateKey;
    const paused = await callAdmin({ url: agent.url, action: "pause", privateKey: own });
    expect(paused).toMatchObject({ status: 200, json: { ok: true, action: "pause" } });
    expect(agent.view.actors().health?.state).toBe("idle");
    const resumed = await callAdmin({ url: agent.url, action: "resume", privateKey: secretBytes(operator) });
    expect(resumed).toMatchObject({ status: 200, json: { ok: true, action: "resume" } });
    expect(agent.view.healthWatching()).toBe(true);
    // Both calls are in the journal of external inputs.
    const journal = agent.store.db
      .prepare<[], { source: string; type: string }>(
        "SELECT source, type FROM journal WHERE source = 'admin'",
      )
      .all();
    expect(journal.map((entry) => entry.type)).toEqual(
      expect.arrayContaining(["HEALTH.UNWATCH", "HEALTH.WATCH"]),
    );
  });

  it("`akash-agent admin` signs the call with the keystore's Nostr key", async () => {
    const paused = await runCli(["admin", "pause", "--url", agent.url], { AGENT_MNEMONIC: agent.mnemonic });
    expect(paused.code).toBe(0);
    expect(JSON.parse(paused.stdout)).toMatchObject({ ok: true, action: "pause" });
    expect(agent.view.healthWatching()).toBe(false);
    const resumed = await runCli(["admin", "resume", "--url", agent.url, "--body", "{}"], {
      AGENT_MNEMONIC: agent.mnemonic,
    });
    expect(JSON.parse(resumed.stdout)).toMatchObject({ ok: true, action: "resume" });
    expect(agent.view.healthWatching()).toBe(true);
    const other = await runCli(["admin", "pause", "--url", agent.url], {
      AGENT_MNEMONIC: generateMnemonic().reveal(),
    });
    expect(other.code).toBe(1);
    expect(JSON.parse(other.stdout)).toEqual({ error: expect.stringMatching(/not an admin/) });
  });

  it("applies a config call (log level, admin keys) and refuses the removed operator afterwards", async () => {
    const answer = await callAdmin({
      url: agent.url,
      action: "config",
      body: { log: { level: "error" }, admin: { npubs: [] } },
      privateKey: secretBytes(operator),
    });
    expect(answer).toMatchObject({
      status: 200,
      json: { applied: { "log.level": "error", "admin.npubs": 0 } },
    });
    const after = await callAdmin({ url: agent.url, action: "pause", privateKey: secretBytes(operator) });
    expect(after.status).toBe(403);
  });

  it("migrates off the current provider on request, and terminates the deployment", async () => {
    const own = agent.keys.nostrKey().privateKey;
    const before = agent.runtime.lease()!;
    const elsewhere = await callAdmin({
      url: agent.url,
      action: "migrate",
      body: { avoidProvider: "akash1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq" },
      privateKey: own,
    });
    expect(elsewhere.status).toBe(409);
    const moved = await callAdmin({
      url: agent.url,
      action: "migrate",
      body: { avoidProvider: before.provider! },
      privateKey: own,
    });
    expect(moved).toMatchObject({ status: 200, json: { from: before.provider } });
    const after = await agent.until("active", (view) => view.provider !== before.provider);
    expect(after.provider).not.toBe(before.provider);

    const terminated = await callAdmin({ url: agent.url, action: "terminate", privateKey: own });
    expect(terminated.status).toBe(200);
    await waitFor(
      () => (agent.runtime.actor.getSnapshot().status === "done" ? true : undefined),
      30_000,
      "stop",
    );
    expect(agent.runtime.lease()?.state).toBe("terminated");
  });

  it("`status --remote` prints the running agent's version, and keeps it in --json", async () => {
    const human = await runCli(["status", "--remote", agent.url]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`version  ${packageVersion()} (image ${DEFAULT_AGENT_IMAGE})\n`);
    const json = await runCli(["status", "--remote", agent.url, "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      version: { package: packageVersion(), image: DEFAULT_AGENT_IMAGE },
    });
  });
});
