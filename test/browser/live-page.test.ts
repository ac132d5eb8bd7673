import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../src/devnet/index.js";
import { createLivePage, type LivePage } from "../../src/live/index.js";
import { createLogger } from "../../src/logging/index.js";
import { knownSecretValues } from "../../src/services/keys/index.js";
import { type LivePageServer, requireChromium, serveLivePage } from "../../support/live-page-server.js";
import { startTestAgent, type TestAgent } from "../support/agent-harness.js";
import { startTestDevnet } from "../support/devnet.js";
import { tolerateIdleGoaway } from "../support/idle-goaway.js";

const OUTPUT_DIR = resolve(import.meta.dirname, "../../test-results");

/**
 * The live page in Debian's chromium (playwright-core), fed by a real agent on the devnet: it shows
 * the lease's state, lights it in the lease chart, and follows the lease live when the provider
 * degrades and the agent moves. A screenshot is saved to test-results/live-page.png.
 */
describe("the live page in a browser", { timeout: 120_000 }, () => {
  let executablePath: string;
  let devnet: DevnetHandle;
  let livePage: LivePage;
  let server: LivePageServer;
  let agent: TestAgent;
  let browser: Browser;
  let page: Page;
  const framesSeen: string[] = [];

  beforeAll(async () => {
    executablePath = requireChromium();
    tolerateIdleGoaway();
    devnet = await startTestDevnet({ blockTimeMs: 100 });
    livePage = createLivePage({
      status: () => agent?.runtime.lease() ?? null,
      logger: createLogger({ level: "silent" }),
    });
    server = await serveLivePage(livePage);
    agent = await startTestAgent(devnet, { inspect: (event) => livePage.inspect(event) });
    browser = await chromium.launch({ executablePath });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on("websocket", (socket) => {
      socket.on("framereceived", (frame) => {
        if (typeof frame.payload === "string") framesSeen.push(frame.payload);
      });
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await agent?.close();
    await devnet?.stop();
  });

  const leaseStateText = () => page.locator("#lease-state").innerText();

  it("shows the lease's state and follows it live while the agent moves off a degraded provider", async () => {
    const first = await agent.until("active");
    await page.goto(server.url);
    // A late joiner: the page opened after the lease went active, and the replay tells it where things are.
    await expect.poll(leaseStateText, { timeout: 10_000 }).toMatch(/^active/);
    await expect
      .poll(() =>
        page.locator('svg[data-machine="lease"] g[data-state="lease.active"]').getAttribute("data-active"),
      )
      .toBe("true");
    expect(
      await page
        .locator('svg[data-machine="lease"] g[data-state="lease.undeployed"]')
        .getAttribute("data-active"),
    ).toBe("false");
    await expect
      .poll(() => page.locator("#lease-provider").innerText(), { timeout: 10_000 })
      .toBe(first.provider);
    expect(await page.locator("#lease-dseq").innerText()).toBe(first.dseq);
    expect(first.uris.length).toBeGreaterThan(0);
    await expect.poll(() => page.locator("#lease-uris").innerText()).toBe(first.uris.join(", "));
    expect(await page.locator("#connection").getAttribute("data-connected")).toBe("true");
    // Every machine has its chart, and the agent's root is lit in `running`.
    for (const machine of ["agent", "lease", "health", "treasury", "keys", "reproduction"]) {
      expect(await page.locator(`svg[data-machine="${machine}"] g[data-state]`).count()).toBeGreaterThan(1);
    }
    expect(await page.locator('g[data-state="agent.running"]').getAttribute("data-active")).toBe("true");

    // Record every lease state the page shows from now on, as the browser sees it.
    // (A string: this project's types have no DOM; the browser runs it.)
    await page.evaluate(`
      window.leaseStatesSeen = [];
      const cell = document.getElementById("lease-state");
      new MutationObserver(() => window.leaseStatesSeen.push(cell.textContent))
        .observe(cell, { childList: true, characterData: true, subtree: true });
    `);

    devnet.degradeProvider(first.provider!, { mode: "failing" });
    try {
      const moved = await agent.until("active", (view) => view.provider !== first.provider);
      await expect
        .poll(() => page.locator("#lease-provider").innerText(), { timeout: 10_000 })
        .toBe(moved.provider);
      await expect.poll(leaseStateText, { timeout: 10_000 }).toMatch(/^active/);
      const seen = (await page.evaluate("window.leaseStatesSeen")) as string[];
      // The page left `active` while the agent moved, then came back to it.
      expect(seen.some((state) => !state.startsWith("active"))).toBe(true);
      expect(seen.at(-1)).toMatch(/^active/);
      expect(
        await page
          .locator('svg[data-machine="lease"] g[data-state="lease.active"]')
          .getAttribute("data-active"),
      ).toBe("true");
      const events = await page.locator("#events li").allInnerTexts();
      expect(events.some((line) => /HEALTH\.|LEASE\./.test(line))).toBe(true);
    } finally {
      devnet.degradeProvider(first.provider!, { mode: "healthy" });
    }

    mkdirSync(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: join(OUTPUT_DIR, "live-page.png"), fullPage: false });

    // What went over the socket: @statelyai/inspect frames, and no secret among them.
    expect(framesSeen.length).toBeGreaterThan(10);
    const types = new Set(framesSeen.map((frame) => (JSON.parse(frame) as { type: string }).type));
    expect([...types].sort()).toEqual(["@xstate.actor", "@xstate.event", "@xstate.snapshot"]);
    const secrets = knownSecretValues().filter((secret) => secret.length >= 6);
    expect(secrets).toContain(agent.mnemonic);
    const leaked = secrets.filter((secret) => framesSeen.some((frame) => frame.includes(secret)));
    expect(leaked).toEqual([]);
  });
});
