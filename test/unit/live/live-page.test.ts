import { createWebSocketReceiver } from "@statelyai/inspect";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createActor, createMachine } from "xstate";
import { createLivePage } from "../../../src/live/index.js";
import { createLogger } from "../../../src/logging/index.js";
import {
  CHROMIUM_PATH,
  type LivePageServer,
  requireChromium,
  serveLivePage,
} from "../../../support/live-page-server.js";

const lease = createMachine({
  id: "lease",
  initial: "undeployed",
  context: { lease: null, deployment: null, escrowRunwayHours: null },
  states: {
    undeployed: { on: { DEPLOY: "active" } },
    active: { initial: "monitoring", states: { monitoring: {} } },
  },
});

/** Collects a socket's frames until `count` arrived. */
function framesOf(url: string, count: number): Promise<{ type: string; snapshot?: { value?: unknown } }[]> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const frames: { type: string }[] = [];
    socket.on("message", (data) => {
      frames.push(JSON.parse(String(data)) as { type: string });
      if (frames.length >= count) {
        socket.close();
        resolve(frames);
      }
    });
    socket.on("error", reject);
  });
}

describe("the live page's routes", () => {
  let server: LivePageServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const start = async (status: () => unknown = () => ({ state: "active" })) => {
    const page = createLivePage({ status, logger: createLogger({ level: "silent" }), machines: [lease] });
    server = await serveLivePage(page);
    return page;
  };

  it("serves GET / as one offline HTML document with the charts inline", async () => {
    await start();
    const response = await fetch(`${server!.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await response.text();
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-machine="lease"');
    for (const state of ["lease", "lease.undeployed", "lease.active", "lease.active.monitoring"])
      expect(html).toContain(`data-state="${state}"`);
    // Nothing is loaded from elsewhere: no external script, style or font.
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it("leaves the relay's NIP-11 request, other paths and other upgrades to the host", async () => {
    await start();
    const nip11 = await fetch(`${server!.url}/`, { headers: { accept: "application/nostr+json" } });
    expect(nip11.status).toBe(404);
    expect((await fetch(`${server!.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${server!.url}/`, { method: "POST" })).status).toBe(404);
    const refused = await new Promise<string>((resolve) => {
      const socket = new WebSocket(server!.url.replace("http", "ws"));
      socket.on("open", () => resolve("open"));
      socket.on("error", () => resolve("refused"));
    });
    expect(refused).toBe("refused");
  });

  it("streams frames on /live and replays the current state to a late joiner", async () => {
    const page = await start();
    const actor = createActor(lease, { inspect: (event) => page.inspect(event) });
    actor.start();
    actor.send({ type: "DEPLOY" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Joins after both steps: gets the actor, the events, then the latest snapshot only.
    const frames = await framesOf(`${server!.url.replace("http", "ws")}/live`, 4);
    expect(frames.map((frame) => frame.type)).toEqual([
      "@xstate.actor",
      "@xstate.event",
      "@xstate.event",
      "@xstate.snapshot",
    ]);
    expect(frames[3]!.snapshot?.value).toEqual({ active: "monitoring" });
    actor.stop();
  });

  it("can be read by @statelyai/inspect's own WebSocket receiver", async () => {
    const page = await start();
    const received: { type: string }[] = [];
    createWebSocketReceiver({ server: `${server!.url.replace("http", "ws")}/live` }).subscribe((event) => {
      received.push(event as { type: string });
    });
    const actor = createActor(lease, { inspect: (event) => page.inspect(event) });
    await new Promise((resolve) => setTimeout(resolve, 200));
    actor.start();
    actor.send({ type: "DEPLOY" });
    await expect.poll(() => received.length).toBeGreaterThanOrEqual(5);
    expect(received.map((event) => event.type)).toContain("@xstate.actor");
    expect(received.map((event) => event.type)).toContain("@xstate.snapshot");
    actor.stop();
  });

  it("serves the cards' JSON at /live/status: the host's status redacted, the lease view, the alerts raised", async () => {
    const page = await start(() => ({ state: "active", dseq: "7", token: "abc-secret-token" }));
    const fetchSummary = async () => {
      const response = await fetch(`${server!.url}/live/status`);
      expect(response.headers.get("content-type")).toBe("application/json");
      return (await response.json()) as {
        status: Record<string, unknown>;
        lease: { state: string } | null;
        alerts: { severity: string; title: string }[];
      };
    };
    const before = await fetchSummary();
    expect(before.status).toEqual({ state: "active", dseq: "7", token: "[redacted]" });
    expect(before.lease).toBeNull();
    expect(before.alerts).toEqual([]);

    const actor = createActor(lease, { id: "lease", inspect: (event) => page.inspect(event) });
    actor.start();
    actor.send({ type: "DEPLOY" });
    actor.send({
      type: "ALERT.RAISED",
      severity: "high",
      title: "Provider degraded",
      message: "two checks failed",
      source: "health",
    } as never);
    const after = await fetchSummary();
    expect(after.lease).toMatchObject({ state: "active.monitoring", dseq: null, provider: null });
    expect(after.alerts).toEqual([
      expect.objectContaining({ severity: "high", title: "Provider degraded", source: "health" }),
    ]);
    actor.stop();
  });
});

describe("the browser tests' chromium", () => {
  it("when missing, is named with the command that installs it", () => {
    expect(() => requireChromium("/nonexistent/chromium")).toThrow(
      "the browser tests need Debian's chromium at /nonexistent/chromium: install it with `sudo apt-get install -y chromium`",
    );
    expect(CHROMIUM_PATH).toBe("/usr/bin/chromium");
  });
});
