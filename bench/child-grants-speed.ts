/**
 * Child budget benchmark on the devnet (100 ms blocks): how long a parent's grant tx takes
 * (DepositAuthorization + BasicAllowance, through the crash-safe executor), and how long a child's
 * MsgCreateDeployment drawn on the grant (sources=[grant], fee.granter = parent) takes beside the same
 * message paid from an account's own balance. Prints figures; asserts nothing.
 *
 *   npx tsx bench/child-grants-speed.ts          (RUNS=5 by default)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DevnetHandle, startDevnet } from "../src/devnet/index.js";
import { generateSdlTemplate, injectSecrets } from "../src/domain/index.js";
import {
  type AkashConnection,
  connectAkash,
  endpointsFromDevnet,
  manifestOfSdl,
} from "../src/services/akash/index.js";
import { createAkashWallets, generateMnemonic } from "../src/services/keys/index.js";
import { type AgentStore, openAgentStore } from "../src/services/store/index.js";

const RUNS = Number(process.env.RUNS ?? 5);
const DAY_MS = 86_400_000;

interface Account {
  readonly address: string;
  readonly akash: AkashConnection;
  readonly store: AgentStore;
  readonly dataDir: string;
}

async function account(devnet: DevnetHandle, fund: { uakt: bigint; uact: bigint } | null, parent?: string) {
  const wallets = await createAkashWallets(generateMnemonic(), 0);
  if (fund) {
    await devnet.fund(wallets.address, fund.uakt);
    await devnet.fund(wallets.address, fund.uact, "uact");
  }
  const dataDir = mkdtempSync(join(tmpdir(), "bench-child-grants-"));
  const store = openAgentStore({ dataDir });
  const akash = await connectAkash({
    endpoints: endpointsFromDevnet(devnet),
    wallets,
    store,
    ...(parent ? { fundedBy: parent } : {}),
    options: { broadcastPollIntervalMs: 25, broadcastTimeoutMs: 20_000 },
  });
  return { address: wallets.address, akash, store, dataDir } satisfies Account;
}

async function sdlOf(owner: string, chainId: string) {
  const template = generateSdlTemplate({
    identity: {
      agentId: "bench-child",
      akashAddress: owner,
      nostrPubkey: "3bf0c63fcb93463407af97a5e5ee64fa883d107ef9e558472c4eb9aaaefa459d",
      relayName: "Bench Relay",
      relayDomain: "relay.example.com",
      network: "devnet",
      chainId,
      role: "replica",
    },
    image: "ghcr.io/akash-agent/agent-relay:0.1.0",
    resources: { cpuUnits: 2, memoryGi: 4, storageGi: 100 },
    budget: { targetUsdPerDay: 5, actUsd: 1 },
  });
  const yaml = injectSecrets(template, { postgresPassword: "bench-Secret-1f2e3d4c" }).yamlWithSecrets();
  return { yaml, ...(await manifestOfSdl(yaml)) };
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const line = (label: string, values: number[]) =>
  console.log(
    `${label.padEnd(46)} median ${median(values).toFixed(0).padStart(5)} ms   min ${Math.min(...values)
      .toFixed(0)
      .padStart(5)}   max ${Math.max(...values)
      .toFixed(0)
      .padStart(5)}`,
  );

const devnet = await startDevnet({
  blockTimeMs: 100,
  providers: 1,
  bmeEpochBlocks: 5,
  cronos: false,
  nostr: false,
  receivers: false,
  arweave: false,
});
const opened: Account[] = [];
try {
  const parent = await account(devnet, { uakt: 500_000_000n, uact: 200_000_000n });
  const selfFunded = await account(devnet, { uakt: 100_000_000n, uact: 100_000_000n });
  opened.push(parent, selfFunded);
  const grants: number[] = [];
  const childDeploys: number[] = [];
  const ownDeploys: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const child = await account(devnet, null, parent.address);
    opened.push(child);
    grants.push(
      await timed(() =>
        parent.akash.childGrants.grantChildBudget({
          key: `grant-${run}`,
          child: child.address,
          limitUact: "5000000",
          feeLimitUakt: "5000000",
          expiresAt: Date.now() + 30 * DAY_MS,
        }),
      ),
    );
    for (const [who, into] of [
      [child, childDeploys],
      [selfFunded, ownDeploys],
    ] as const) {
      const sdl = await sdlOf(who.address, devnet.chainId);
      const dseq = String((await who.akash.chain.height()) * 100 + run);
      into.push(
        await timed(() =>
          who.akash.chain.createDeployment({
            key: `deploy-${dseq}`,
            dseq,
            sdlYaml: sdl.yaml,
            manifestVersion: sdl.manifestVersion,
            depositUact: "600000",
          }),
        ),
      );
    }
  }
  console.log(`child budgets on the devnet (100 ms blocks), ${RUNS} runs`);
  line("parent: grant tx (deposit grant + fee allowance)", grants);
  line("child: create deployment on the grant", childDeploys);
  line("agent: create deployment from its own balance", ownDeploys);
} finally {
  for (const { akash, store, dataDir } of opened) {
    await akash.chain.close();
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  await devnet.stop();
}
