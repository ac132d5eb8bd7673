import { describe, expect, it } from "vitest";
import type { AgentCommand } from "../../../src/machines/index.js";
import type { AgentRuntime } from "../../../src/runtime/agent-runtime.js";
import type { LeaseView } from "../../../src/runtime/lease-view.js";
import { startUpgrade, upgradeBody } from "../../../src/server/admin-upgrade.js";

const SETTINGS = {
  monitorMs: 600_000,
  rollbackWindowMs: 1_800_000,
  configuredImage: "ghcr.io/a/relay:0.1.0",
};

/** The runtime surface `startUpgrade` uses: the lease view, and what was sent (a lease that takes it or not). */
function runtimeWith(view: LeaseView | null, takes = true) {
  const sent: AgentCommand[] = [];
  let current = view;
  const runtime = {
    lease: () => current,
    send: (command: AgentCommand) => {
      sent.push(command);
      if (takes && command.type === "LEASE.UPGRADE" && current) {
        current = {
          ...current,
          state: "generating_sdl.working",
          upgrade: {
            from: current.image ?? command.currentImage,
            to: command.image,
            state: "deploying",
            reason: null,
          },
        };
      }
    },
  } as unknown as AgentRuntime;
  return { runtime, sent };
}

const active: LeaseView = {
  state: "active.monitoring",
  dseq: "42",
  provider: "akash1p",
  uris: [],
  escrowRunwayHours: 3,
  image: "ghcr.io/a/relay:0.1.0",
};

describe("admin upgrade", () => {
  it("takes an image with its tag, and names the field and an example otherwise", () => {
    expect(upgradeBody.safeParse({ image: "ghcr.io/akash-agent/agent-relay:0.2.0" }).success).toBe(true);
    expect(upgradeBody.safeParse({ image: "localhost:5000/agent:v2" }).success).toBe(true);
    for (const image of ["ghcr.io/akash-agent/agent-relay", "UPPER/case:1", "a:", "", "a b:1"]) {
      const parsed = upgradeBody.safeParse({ image });
      expect(parsed.success, image).toBe(false);
      expect(parsed.error?.issues[0]?.message).toMatch(/an image with its tag, e\.g\. /);
    }
    expect(upgradeBody.safeParse({ image: "a/b:1", extra: 1 }).success).toBe(false);
  });

  it("sends the upgrade with the settings and answers from, to and state", () => {
    const { runtime, sent } = runtimeWith(active);
    const result = startUpgrade(runtime, SETTINGS, { image: "ghcr.io/a/relay:0.2.0" });
    expect(result).toEqual({
      status: 200,
      body: {
        ok: true,
        action: "upgrade",
        from: "ghcr.io/a/relay:0.1.0",
        to: "ghcr.io/a/relay:0.2.0",
        state: "deploying",
      },
    });
    expect(sent).toEqual([
      {
        type: "LEASE.UPGRADE",
        image: "ghcr.io/a/relay:0.2.0",
        currentImage: "ghcr.io/a/relay:0.1.0",
        source: "admin",
        monitorMs: 600_000,
        rollbackWindowMs: 1_800_000,
      },
    ]);
  });

  it("refuses (409, nothing sent) without a lease, during a move, for the image it runs", () => {
    const cases: Array<[LeaseView | null, RegExp]> = [
      [null, /holds no lease yet/],
      [{ ...active, state: "draining.canary" }, /the lease is draining\.canary, not active/],
      [{ ...active, image: "ghcr.io/a/relay:0.2.0" }, /runs ghcr\.io\/a\/relay:0\.2\.0 already/],
    ];
    for (const [view, reason] of cases) {
      const { runtime, sent } = runtimeWith(view);
      const result = startUpgrade(runtime, SETTINGS, { image: "ghcr.io/a/relay:0.2.0" });
      expect(result.status).toBe(409);
      expect("error" in result && result.error).toMatch(reason);
      expect(sent).toEqual([]);
    }
  });

  it("says so when the lease did not take it", () => {
    const { runtime } = runtimeWith(active, false);
    const result = startUpgrade(runtime, SETTINGS, { image: "ghcr.io/a/relay:0.2.0" });
    expect(result).toMatchObject({ status: 409 });
    expect("error" in result && result.error).toMatch(/did not take the upgrade/);
  });
});
