import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createActor, createMachine } from "xstate";
import { createLivePage, type LivePage } from "../../src/live/index.js";
import { createLogger } from "../../src/logging/index.js";
import { type LivePageServer, requireChromium, serveLivePage } from "../../support/live-page-server.js";

const lease = createMachine({
  id: "lease",
  initial: "undeployed",
  states: {
    undeployed: { on: { DEPLOY: "active" } },
    active: { initial: "monitoring", states: { monitoring: { on: { MOVE: "#lease.migrating" } } } },
    migrating: { on: { DONE: "active" } },
  },
});

/** The page's script in chromium against frames from small in-process actors (no devnet). */
describe("the live page's script", { timeout: 60_000 }, () => {
  let livePage: LivePage;
  let server: LivePageServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const executablePath = requireChromium();
    livePage = createLivePage({
      status: () => null,
      logger: createLogger({ level: "silent" }),
      machines: [lease],
    });
    server = await serveLivePage(livePage);
    browser = await chromium.launch({ executablePath });
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const lit = () =>
    page.locator('svg[data-machine="lease"] g[data-active="true"]').evaluateAll(
      // (A string body: the project's types have no DOM.)
      (nodes) =>
        nodes.map((node) =>
          (node as unknown as { getAttribute(name: string): string }).getAttribute("data-state"),
        ),
    );

  it("lights the agent's own lease, not another actor of the same machine, and follows it live", async () => {
    const own = createActor(lease, { id: "lease", inspect: (event) => livePage.inspect(event) });
    own.start();
    own.send({ type: "DEPLOY" });
    await page.goto(server.url);
    await expect.poll(lit).toEqual(["lease", "lease.active", "lease.active.monitoring"]);
    expect(await page.locator("#lease-state").innerText()).toBe("active.monitoring");

    // A child agent's lease runs the same machine under another name: it does not take the chart.
    const childLease = createActor(lease, { id: "child-lease", inspect: (event) => livePage.inspect(event) });
    childLease.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await lit()).toEqual(["lease", "lease.active", "lease.active.monitoring"]);

    own.send({ type: "MOVE" });
    await expect.poll(lit).toEqual(["lease", "lease.migrating"]);
    expect(await page.locator("#lease-state").innerText()).toBe("migrating");
    expect(await page.locator('[data-current-of="lease"]').innerText()).toBe("migrating");
    // The transition just taken is marked, and only that one.
    expect(
      await page
        .locator('svg[data-machine="lease"] g.edge[data-taken="true"]')
        .evaluateAll((edges) =>
          edges.map((edge) => (edge as unknown as { textContent: string }).textContent),
        ),
    ).toEqual(["MOVE"]);
    own.send({ type: "DONE" });
    await expect.poll(lit).toEqual(["lease", "lease.active", "lease.active.monitoring"]);
    await expect
      .poll(() => page.locator("#events li").allInnerTexts())
      .toEqual(
        expect.arrayContaining([
          expect.stringMatching(/lease\s+DONE/),
          expect.stringMatching(/lease\s+MOVE/),
        ]),
      );
    childLease.stop();
    own.stop();
  });
});
