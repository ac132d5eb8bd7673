import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { createLogger } from "../../../src/logging/index.js";
import { assessTakeBack, takeBack } from "../../../src/runtime/take-back.js";
import { withTakeBackDeps } from "../../../src/runtime/take-back-connection.js";
import { openAgentStore } from "../../../src/services/store/index.js";
import { runCli } from "../../../support/run-cli.js";
import { startTestAgentProcess } from "../../support/agent-process-harness.js";
import { startTestDevnet } from "../../support/devnet.js";

const logger = createLogger({ level: "silent", json: true });

/**
 * `run --take-back` against the devnet's chain and provider gateways: a data directory that handed
 * over to a lease that still runs is refused; once the lease's provider is down it leads again, one
 * generation up.
 */
describe("taking the agent back from a data directory that handed over", () => {
  let devnet: DevnetHandle;
  const dirs: string[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 2, nostr: true });
  });
  afterAll(async () => {
    await devnet?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a data directory that never handed over (exit 3, one line)", async () => {
    const refused = await runCli([
      "run",
      "--network",
      "devnet",
      "--devnet-url",
      devnet.control,
      "--data",
      tempDir("take-back-fresh-"),
      "--take-back",
    ]);
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr.trim()).toMatch(
      /^akash-agent: --take-back refused: the agent in .* is never deployed from here, not handed over/,
    );
  });

  it("refuses while the leader's lease runs, then takes back as the next generation once its provider is down", {
    timeout: 120_000,
  }, async () => {
    const agent = await startTestAgentProcess(devnet, { settings: { "agent.handover": "off" } });
    const view = await agent.until("active.monitoring");
    await agent.close();
    const leader = { dseq: view.dseq!, provider: view.provider!, uri: view.uris[0] ?? "" };
    // As a handover leaves the bootstrap's data directory.
    const store = openAgentStore({ dataDir: agent.dataDir });
    store.leadership.record({ generation: 1, state: "handed_over", leader });
    store.close();

    const refused = await runCli(
      ["run", "--network", "devnet", "--devnet-url", devnet.control, "--data", agent.dataDir, "--take-back"],
      { AGENT_MNEMONIC: agent.mnemonic },
    );
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toMatch(
      new RegExp(
        `--take-back refused: the leader's lease ${leader.dseq} is still active on provider ${leader.provider}`,
      ),
    );

    const config = loadConfig({
      env: {},
      flags: { network: "devnet", dataDir: agent.dataDir, "devnet.url": devnet.control },
    });
    const options = { config, keys: agent.keys, logger, silentAfterMs: 3_000 };
    await devnet.setProviderOnline(leader.provider, false);
    const verdict = await withTakeBackDeps(options, (deps) => assessTakeBack(deps));
    expect(verdict).toMatchObject({
      allowed: true,
      generation: 2,
      detail: expect.stringMatching(
        new RegExp(`provider ${leader.provider} of lease ${leader.dseq} does not answer`),
      ),
    });
    const generation = await withTakeBackDeps(options, (deps) => takeBack(deps));
    expect(generation).toBe(2);
    const after = openAgentStore({ dataDir: agent.dataDir });
    try {
      expect(after.leadership.current()).toMatchObject({ generation: 2, state: "leading", leader: null });
    } finally {
      after.close();
    }
    // Taken back once: a second take-back finds nothing handed over.
    await expect(withTakeBackDeps(options, (deps) => takeBack(deps))).rejects.toThrow(
      /--take-back refused: the agent here is leading \(generation 2\), not handed over/,
    );
  });
});
