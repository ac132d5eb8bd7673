import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { activationNonce } from "../../../src/actors/sdl-factory.js";
import { loadConfig } from "../../../src/config/index.js";
import { AgentError } from "../../../src/errors.js";
import { createLogger } from "../../../src/logging/index.js";
import { completeHandover } from "../../../src/runtime/handover.js";
import { sendError } from "../../../src/server/json-response.js";
import {
  ACTIVATION_RECORD_FILE,
  ACTIVATION_REFUSALS_FILE,
  ActivationEndpoint,
  ActivationRefusalLog,
  EphemeralActivationKey,
  readActivationRefusals,
} from "../../../src/services/activation/index.js";
import { EnvKeystore } from "../../../src/services/keys/index.js";
import { openAgentStore } from "../../../src/services/store/index.js";
import { newActivationAgent, secretSpellings } from "../../support/activation-fixtures.js";

const logger = createLogger({ level: process.env.TEST_LOG ? "debug" : "silent", json: true });
const DSEQ = "4242";

describe("a bootstrap whose deployed instance refuses the activation", () => {
  const dirs: string[] = [];
  const servers: Server[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("keeps leading, raises one alert, sends nothing secret, and the instance keeps the refusal for its agent to report", {
    timeout: 90_000,
  }, async () => {
    const agent = await newActivationAgent();
    const other = await newActivationAgent();
    // The instance's manifest names another owner: it refuses this agent's package (403).
    const instanceDir = tempDir("refused-instance-");
    const refusals = new ActivationRefusalLog(join(instanceDir, ACTIVATION_REFUSALS_FILE));
    const endpoint = new ActivationEndpoint({
      expected: {
        agentId: agent.keys.identity.agentId,
        nonce: activationNonce(agent.keys, DSEQ),
        owner: other.keys.identity.akash,
        dseq: DSEQ,
      },
      ephemeral: EphemeralActivationKey.generate(),
      recordPath: join(instanceDir, ACTIVATION_RECORD_FILE),
      onActivated: async () => {
        throw new Error("a refused package must not be opened");
      },
      refusalLog: refusals,
      logger,
    });
    const server = createServer((req, res) => {
      void endpoint.handle(req, res).then((handled) => handled || sendError(res, 404, "not found"));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const uri = `127.0.0.1:${(server.address() as AddressInfo).port}`;

    const dataDir = tempDir("refused-bootstrap-");
    const config = loadConfig({ env: {}, flags: { network: "devnet", dataDir } });
    const store = openAgentStore({ dataDir });
    const leader = { dseq: DSEQ, provider: "akash1refusingprovider", uri };
    store.leadership.record({ generation: 1, state: "handing_over", leader });
    const keystore = new EnvKeystore({ env: { AGENT_MNEMONIC: agent.mnemonic } });
    try {
      const error = await completeHandover({ config, keys: agent.keys, keystore, store, logger }).then(
        () => null,
        (thrown: unknown) => thrown as Error,
      );
      expect(error).toBeInstanceOf(AgentError);
      expect(error?.message).toMatch(
        new RegExp(
          `refused the activation \\(403: .*a keystore for another agent.*not handed over and still leads from ${dataDir} \\(generation 1\\)`,
        ),
      );
      expect(store.leadership.current()).toMatchObject({ generation: 1, state: "leading", leader: null });
      expect(store.leadership.acting()).toBe(true);

      const alert = store.alerts.get(`handover-refused-${DSEQ}-g1`);
      expect(alert).toMatchObject({ severity: "high", title: "Handover refused by the deployed instance" });
      expect(alert?.message).toContain(uri);
      for (const text of [error?.message ?? "", alert?.message ?? ""]) {
        for (const spelling of secretSpellings(agent)) expect(text).not.toContain(spelling);
      }

      await refusals.flushed();
      const kept = readActivationRefusals(join(instanceDir, ACTIVATION_REFUSALS_FILE));
      expect(kept.count).toBe(1);
      expect(kept.latest[0]).toMatchObject({ status: 403, reason: expect.stringContaining("another agent") });
      expect(endpoint.offer()).toMatchObject({ state: "awaiting", refused: 1 });
    } finally {
      store.close();
    }
  });
});
