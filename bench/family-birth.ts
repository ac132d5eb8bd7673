/**
 * A child's birth and resurrection, timed on this machine (DESIGN §13) on a devnet whose providers run
 * this package's built entry point as the agent image:
 *  1. birth: `runChildBootstrap` from the call to the child leading itself in its own lease (handed over);
 *  2. resurrection: from the child's provider going offline (taking its process with it) to the child
 *     leading again on another provider (`resurrectChild`: restore its latest backup, take it back,
 *     redeploy, hand over), the take-back tried again every second while the child's last heartbeat is
 *     fresher than 3 heartbeat intervals (as a parent's watch would after its silence threshold).
 * Prints figures; asserts nothing.
 *
 *   npm run bench:family      (about a minute)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configSchema } from "../src/config/schema.js";
import { ownCliCommand } from "../src/devnet/agent-entry-point.js";
import { startDevnet } from "../src/devnet/index.js";
import { ownAgentProcessOptions } from "../src/devnet/own-agent-processes.js";
import { readPointer } from "../src/services/backup/index.js";
import {
  ChildRunFailedError,
  type ChildRunInput,
  type ChildSettingValue,
  resurrectChild,
  runChildBootstrap,
} from "../src/services/family/index.js";
import { AgentKeys, EnvKeystore, generateArweaveJwk, generateMnemonic } from "../src/services/keys/index.js";

const SETTINGS: Record<string, ChildSettingValue> = {
  "intervals.healthCheckMs": 500,
  "intervals.chainPollMs": 100,
  "bidding.minBids": 3,
  "bidding.windowMs": 3_000,
  "agent.sdlProfile": "relay",
  "agent.relayDomain": "127.0.0.1",
  "heartbeat.intervalMs": 1_000,
  "backup.availableTimeoutMs": 20_000,
  "log.level": "info",
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "bench-family-"));
  const image = configSchema.parse({}).agent.image;
  const devnet = await startDevnet({
    blockTimeMs: 100,
    workloadStartDelayMs: 200,
    bmeEpochBlocks: 5,
    providers: 3,
    cronos: false,
    receivers: false,
    nostr: true,
    arweave: { mineIntervalMs: 200 },
    ...ownAgentProcessOptions(image, join(work, "logs")),
  });
  try {
    const mnemonic = generateMnemonic();
    const jwk = await generateArweaveJwk();
    const keys = AgentKeys.fromContents(
      await new EnvKeystore({
        env: { AGENT_MNEMONIC: mnemonic.reveal(), AGENT_ARWEAVE_JWK: JSON.stringify(jwk.reveal()) },
      }).load(),
    );
    const input = (dataDir: string): ChildRunInput => ({
      cli: ownCliCommand(),
      parentConfig: configSchema.parse({ network: "devnet", devnet: { url: devnet.control } }),
      parent: null,
      childMnemonic: mnemonic,
      childArweaveJwk: jwk,
      child: {
        index: 0,
        childId: keys.identity.agentId,
        akash: keys.identity.akash,
        npub: keys.identity.npub,
      },
      dataDir,
      avoidProviders: [],
      relays: [devnet.nostr!.relay],
      settings: SETTINGS,
    });

    const birthStarted = performance.now();
    const bootstrapSeqs: number[] = [];
    const born = await runChildBootstrap({
      ...input(join(work, "children", keys.identity.agentId)),
      onProgress: (line) => {
        const seq = /"seq":(\d+),.*"msg":"backup \d+ on Arweave/.exec(line)?.[1];
        if (seq) bootstrapSeqs.push(Number(seq));
      },
    });
    const birthMs = performance.now() - birthStarted;

    // The instance's own backup (any after the bootstrap's), which a resurrection restores.
    const floor = Math.max(0, ...bootstrapSeqs);
    const backupDeadline = Date.now() + 60_000;
    for (;;) {
      const found = await readPointer([devnet.nostr!.relay], keys.nostrKey());
      if (found && found.pointer.seq > floor) break;
      if (Date.now() > backupDeadline) throw new Error("the child's instance made no backup within 60 s");
      await sleep(250);
    }

    await devnet.setProviderOnline(born.provider, false);
    const downAt = performance.now();
    const again = input(join(work, "children", `${keys.identity.agentId}.resurrection-1`));
    let back: Awaited<ReturnType<typeof resurrectChild>> | null = null;
    let refusals = 0;
    while (!back) {
      back = await resurrectChild(again).catch((error: unknown) => {
        if (error instanceof ChildRunFailedError && error.childExitCode === 3) return null;
        throw error;
      });
      if (!back) {
        refusals += 1;
        if (performance.now() - downAt > 120_000) throw new Error("no resurrection within 120 s");
        await sleep(1_000);
      }
    }
    const resurrectionMs = performance.now() - downAt;

    console.log("family: a child's birth and resurrection on the devnet (3 providers, 100 ms blocks)");
    console.log(`  birth (call → the child leads in its own lease)          ${seconds(birthMs)}`);
    console.log(
      `  resurrection (provider offline → leads elsewhere)         ${seconds(resurrectionMs)} (take-back refused ${refusals}× while the last heartbeat was fresh)`,
    );
    console.log(
      `  generations                                               ${born.generation} → ${back.generation}; provider ${born.provider === back.provider ? "the same (!)" : "another"}`,
    );
  } finally {
    await devnet.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
