import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { waitForUpgrade } from "../../../src/cli/upgrade-wait.js";
import { nonActingStatus } from "../../../src/runtime/non-acting-status.js";

const FROM = "ghcr.io/akash-agent/agent-relay:0.1.0";
const TO = "ghcr.io/akash-agent/agent-relay:0.2.0";
const version = { package: "0.1.0", image: FROM };

/**
 * `upgrade --wait` follows the agent from the instance it asked to the new leader (issue 18). The old
 * instance may answer from the agent's process or, restarted inside the rollback window, from the small
 * server of an instance that does not act: both must say where the agent went (the upgrade crash
 * matrix's standby row waited forever on the second).
 */
describe("upgrade --wait follows the agent to its new leader", () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  async function serve(status: () => unknown): Promise<string> {
    const server = createServer((req, res) => {
      res.writeHead(req.url === "/api/status" ? 200 : 404, { "content-type": "application/json" });
      res.end(JSON.stringify(req.url === "/api/status" ? status() : { error: "not found" }));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it("from a standby restarted in the rollback window to the leader that ends the upgrade", async () => {
    const leader = await serve(() => ({
      state: "active.monitoring",
      leadership: { generation: 2, state: "leading" },
      upgrade: { from: FROM, to: TO, state: "upgraded", reason: null },
    }));
    const standby = await serve(() =>
      nonActingStatus(
        {
          generation: 2,
          state: "standby",
          leader: { dseq: "77", provider: "akash1p", uri: leader },
          updatedAt: 0,
        },
        version,
      ),
    );
    const steps: string[] = [];
    const ended = await waitForUpgrade({
      url: `http://${standby}`,
      image: TO,
      timeoutMs: 30_000,
      intervalMs: 20,
      onProgress: (step) => steps.push(step.state),
    });
    expect(ended).toMatchObject({ from: FROM, to: TO, state: "upgraded" });
    expect(steps).toEqual(["upgraded"]);
  });

  it("answers one leadership shape for an instance that does not act, with where the agent went", () => {
    const leader = { dseq: "77", provider: "akash1p", uri: "127.0.0.1:9" };
    expect(nonActingStatus({ generation: 3, state: "handed_over", leader, updatedAt: 5 }, version)).toEqual({
      generation: 3,
      state: "handed_over",
      leader,
      updatedAt: 5,
      leadership: { generation: 3, state: "handed_over", leader },
      version,
    });
  });
});
