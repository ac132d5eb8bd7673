import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assign, createActor, setup } from "xstate";
import { type ChildHeartbeatEvent, createFamilyHeartbeatsActor } from "../../src/actors/family-heartbeats.js";
import { configSchema } from "../../src/config/schema.js";
import { ownCliCommand } from "../../src/devnet/agent-entry-point.js";
import type { DevnetHandle } from "../../src/devnet/index.js";
import { createLogger } from "../../src/logging/index.js";
import {
  CHILD_RUN_PID_FILE,
  type ChildRunInput,
  ChildRunInterruptedError,
  runChildBootstrap,
} from "../../src/services/family/index.js";
import { AgentKeys, EnvKeystore, generateMnemonic } from "../../src/services/keys/index.js";
import { deployedAgentSettings } from "../support/agent-harness.js";
import { chainAudit, DEPLOYMENT_ACTIVE } from "../support/chain-audit.js";
import { remoteStatus } from "../support/deployed-agent-probes.js";
import { agentProcessOptions, startTestDevnet, waitFor } from "../support/devnet.js";

const quiet = createLogger({ level: "silent", json: true });

/** The children's settings: quick devnet timings, the one-service SDL, heartbeats every second. */
const childSettings: Record<string, string | number | boolean> = {
  ...(deployedAgentSettings as Record<string, string | number | boolean>),
  "agent.sdlProfile": "relay",
  "agent.relayDomain": "127.0.0.1",
  "heartbeat.intervalMs": 1_000,
  "log.level": "info",
};

/** The record this file prints for the lead's note. */
const figures: Record<string, number> = {};

/**
 * DESIGN §13, birth: a parent runs its child's bootstrap (`run --until handed-over --json`) as a
 * subprocess on the devnet; the child deploys from its own account, activates its instance and leads
 * itself. Aborted once its deployment exists, the same call on the same data dir resumes it: one
 * deployment, and later calls only say where the child lives.
 */
describe("a child is born by the bootstrap path, resumably", () => {
  let devnet: DevnetHandle;
  const dirs: string[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    devnet = await startTestDevnet({
      providers: 3,
      nostr: true,
      ...agentProcessOptions(tempDir("birth-logs-")),
    });
  }, 60_000);
  afterAll(async () => {
    await devnet?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    console.log(`birth figures: ${JSON.stringify(figures)}`);
  });

  it("reaches handed-over with its own deployment; aborted mid-way and run again, it makes no second one", async () => {
    const mnemonic = generateMnemonic();
    const keys = AgentKeys.fromContents(
      await new EnvKeystore({ env: { AGENT_MNEMONIC: mnemonic.reveal() } }).load(),
    );
    const owner = keys.identity.akash;
    const parentConfig = configSchema.parse({ network: "devnet", devnet: { url: devnet.control } });
    const progress: string[] = [];
    const input = (signal?: AbortSignal): ChildRunInput => ({
      cli: ownCliCommand(),
      parentConfig,
      // The grant path (reproduction.parent) is another part's: this child pays from its own account,
      // which the devnet's faucet funds (`run --fund all`, the devnet's default).
      parent: null,
      childMnemonic: mnemonic,
      child: { index: 0, childId: keys.identity.agentId, akash: owner, npub: keys.identity.npub },
      dataDir,
      avoidProviders: [],
      relays: [devnet.nostr!.relay],
      settings: childSettings,
      onProgress: (line) => progress.push(line),
      killAfterMs: 10_000,
      ...(signal ? { signal } : {}),
    });
    const dataDir = join(tempDir("parent-"), "children", keys.identity.agentId);
    const audit = chainAudit(devnet);
    const started = performance.now();

    // First run: aborted as soon as the child's deployment is on chain.
    const abort = new AbortController();
    const first = runChildBootstrap(input(abort.signal));
    const created = await waitFor(
      async () => {
        const deployments = await audit.deployments(owner);
        return deployments.length > 0 ? deployments : undefined;
      },
      60_000,
      "the child's deployment on chain",
    );
    abort.abort();
    await expect(first).rejects.toBeInstanceOf(ChildRunInterruptedError);
    expect(existsSync(join(dataDir, CHILD_RUN_PID_FILE))).toBe(false);
    figures.abortedAfterMs = Math.round(performance.now() - started);

    // Run again on the same dir: it resumes that deployment and hands over to the child's instance.
    const born = await runChildBootstrap(input());
    figures.triggerToHandedOverMs = Math.round(performance.now() - started);
    expect(born.dseq).toBe(created[0]!.dseq);
    expect(born.provider).toMatch(/^akash1/);
    expect(born.generation).toBe(1);
    const status = await waitFor(async () => {
      const answer = await remoteStatus(born.uri).catch(() => undefined);
      return answer?.leadership?.generation === 1 && answer.state.startsWith("active") ? answer : undefined;
    }, 30_000);
    expect(status.dseq).toBe(born.dseq);

    // Its parent hears the child's own instance: heartbeats of generation 1 from its provider.
    const parent = createActor(
      setup({
        types: { context: {} as { heard: ChildHeartbeatEvent[] }, events: {} as ChildHeartbeatEvent },
        actors: { watchFamilyHeartbeats: createFamilyHeartbeatsActor({ logger: quiet }) },
      }).createMachine({
        context: { heard: [] },
        invoke: {
          src: "watchFamilyHeartbeats",
          id: "familyHeartbeats",
          systemId: "familyHeartbeats",
          input: {
            relays: [devnet.nostr!.relay],
            children: [{ childId: keys.identity.agentId, npub: keys.identity.npub }],
          },
        },
        on: {
          "CHILD.HEARTBEAT": {
            actions: assign({ heard: ({ context, event }) => [...context.heard, event] }),
          },
        },
      }),
    ).start();
    try {
      const heard = await waitFor(
        () =>
          parent
            .getSnapshot()
            .context.heard.find((event) => event.generation === 1 && event.provider === born.provider),
        20_000,
        "the child's heartbeat at its parent",
      );
      expect(heard).toMatchObject({ type: "CHILD.HEARTBEAT", childId: keys.identity.agentId });
      expect(heard.leaseState).toMatch(/^active/);
    } finally {
      parent.stop();
    }

    // A later call only says where the child lives.
    expect(await runChildBootstrap(input())).toEqual(born);
    const deployments = await audit.deployments(owner);
    expect(deployments.map((entry) => entry.dseq)).toEqual([born.dseq]);
    expect(deployments[0]!.state).toBe(DEPLOYMENT_ACTIVE);

    // The child's words never came back through the runner, in any form a line could carry them.
    expect(progress.length).toBeGreaterThan(10);
    const words = mnemonic.reveal();
    for (const line of progress) expect(line).not.toContain(words);
  }, 240_000);
});
