import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEther } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createActor, toPromise } from "xstate";
import type { AgentServices } from "../../../src/actors/agent-services.js";
import type { CronosTreasury } from "../../../src/actors/cronos-treasury.js";
import { createTreasuryActors } from "../../../src/actors/treasury-actors.js";
import { readChildrenCro } from "../../../src/cli/commands/family-cro.js";
import { loadConfig } from "../../../src/config/index.js";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { EffectError } from "../../../src/domain/index.js";
import { UsageError } from "../../../src/errors.js";
import { createLogger } from "../../../src/logging/index.js";
import { actorSettingsFromConfig, feeReserveUakt } from "../../../src/runtime/agent-settings.js";
import { requireChildCroWithinReach } from "../../../src/runtime/child-cro-check.js";
import {
  type AkashConnection,
  connectAkash,
  endpointsFromDevnet,
} from "../../../src/services/akash/index.js";
import {
  CronosClient,
  type CronosEndpoints,
  type CronosLegKind,
  type CronosLegStep,
  sendCro,
  TRANSFER_GAS,
} from "../../../src/services/cronos/index.js";
import { retireChildAccount } from "../../../src/services/family/retire-child.js";
import {
  AgentKeys,
  childEvmKey,
  childIdentity,
  createAkashWallets,
  deriveChildMnemonic,
  EnvKeystore,
  generateMnemonic,
  type Secret,
} from "../../../src/services/keys/index.js";
import { type AgentStore, openAgentStore } from "../../../src/services/store/index.js";
import { fastCronosPolicy } from "../../support/cronos-agent.js";
import { startTestDevnet } from "../../support/devnet.js";

const CHILD_CRO_WEI = 100n * 10n ** 18n; // 100 CRO: $10 at the devnet's $0.10
const FAST = { broadcastPollIntervalMs: 25, broadcastTimeoutMs: 20_000 };

class SimulatedCrash extends Error {}

const logger = createLogger({ level: process.env.TEST_AGENT_LOG ?? "silent", json: true });
const config = loadConfig({ env: {} });

/** A parent agent's Akash account and Cronos address over one store, restartable like a process. */
interface Parent {
  readonly mnemonic: Secret<string>;
  readonly akash: string;
  readonly evm: string;
  store: AgentStore;
  chain: AkashConnection;
  cronos: CronosClient;
  restart(): Promise<void>;
  close(): Promise<void>;
}

async function startParent(devnet: DevnetHandle, endpoints: CronosEndpoints): Promise<Parent> {
  const mnemonic = generateMnemonic();
  const keys = AgentKeys.fromContents(
    await new EnvKeystore({ env: { AGENT_MNEMONIC: mnemonic.reveal() } }).load(),
  );
  const wallets = await keys.akashWallets();
  await devnet.fund(wallets.address, 100_000_000n);
  await devnet.fund(wallets.address, 30_000_000n, "uact");
  await devnet.cronosControl!.fund(keys.identity.evm, parseEther("1000"));
  const dataDir = mkdtempSync(join(tmpdir(), "child-cro-parent-"));
  const open = async () => {
    const store = openAgentStore({ dataDir });
    const chain = await connectAkash({
      endpoints: endpointsFromDevnet(devnet),
      wallets,
      store,
      options: FAST,
    });
    return { store, chain, cronos: new CronosClient(endpoints, keys.evmKey().privateKey) };
  };
  const parent: Parent = {
    mnemonic,
    akash: keys.identity.akash,
    evm: keys.identity.evm,
    ...(await open()),
    async restart() {
      await parent.chain.chain.close();
      parent.cronos.close();
      parent.store.close();
      Object.assign(parent, await open());
    },
    async close() {
      await parent.chain.chain.close();
      parent.cronos.close();
      parent.store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return parent;
}

/** The parent's treasury actors as the runtime binds them, with a Cronos leg unless `cronos: false`. */
function treasuryOf(
  parent: Parent,
  o: { croWei?: bigint; cronos?: boolean; onStep?: (leg: CronosLegKind, step: CronosLegStep) => void } = {},
) {
  const settings = actorSettingsFromConfig(config, { blockSeconds: 0.1, pollIntervalMs: 50 });
  const cronos: CronosTreasury = {
    client: parent.cronos,
    policy: fastCronosPolicy,
    fundAkash: false,
    ...(o.onStep ? { onStep: o.onStep } : {}),
  };
  const services = {
    chain: parent.chain.chain,
    store: parent.store,
    childGrants: parent.chain.childGrants,
    settings: {
      ...settings,
      mintSettleTimeoutMs: 20_000,
      childFunding: { ...settings.childFunding!, croWei: (o.croWei ?? CHILD_CRO_WEI).toString() },
    },
    logger,
    now: Date.now,
    family: { childIdentity: (index: number) => childIdentity(parent.mnemonic, index) },
    ...(o.cronos === false ? {} : { cronos }),
  } as unknown as AgentServices;
  return createTreasuryActors(services, { feeReserveUakt: feeReserveUakt(config) });
}

/** Registers the parent's child at `index` as createChildIdentity does (without its Cronos address when asked). */
function registerChild(parent: Parent, index: number, o: { withCronos?: boolean } = {}) {
  const child = childIdentity(parent.mnemonic, index);
  parent.store.children.register({
    id: child.childId,
    index,
    addresses: {
      akash: child.akash,
      nostr: child.npub,
      ...(o.withCronos === false ? {} : { cronos: child.cronos }),
    },
    role: "replica",
    state: "born",
  });
  return child;
}

async function fund(
  parent: Parent,
  key: string,
  childAddress: string,
  o: Parameters<typeof treasuryOf>[1] = {},
) {
  const { fundChild } = treasuryOf(parent, o);
  await toPromise(createActor(fundChild, { input: { key, childAddress, amountUact: "1000000" } }).start());
}

async function refusal(call: () => Promise<unknown>): Promise<EffectError> {
  const error = await call().then(
    () => new Error("expected a refusal"),
    (e: unknown) => e,
  );
  if (!(error instanceof EffectError)) throw error;
  return error;
}

describe("a child's CRO: sent once by its parent within the caps, spent by its own treasury, swept back at retirement", () => {
  let devnet: DevnetHandle;
  let endpoints: CronosEndpoints;
  let parent: Parent;
  let reader: CronosClient;
  const rows: string[] = [];
  const croOf = (address: string) => reader.croWei(address);

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 1, cronos: { bridgeDelayBlocks: 2 } });
    const c = devnet.cronos!;
    endpoints = { rpc: c.rpc, chainId: c.chainId, router: c.router, wcro: c.wcro, akt: c.akt };
    parent = await startParent(devnet, endpoints);
    // A read-only client (its key signs nothing).
    reader = new CronosClient(endpoints, childEvmKey(generateMnemonic(), 0).privateKey);
  });

  afterAll(async () => {
    if (rows.length > 0) console.log(`child CRO crash rows:\n${rows.join("\n")}`);
    reader?.close();
    await parent?.close();
    await devnet?.stop();
  });

  it("grants the child its budget, then sends its CRO in one transfer; a second run sends nothing", async () => {
    const child = registerChild(parent, 0);
    const nonce = await parent.cronos.minedNonce();
    await fund(parent, "fund-0", child.akash);

    expect(await croOf(child.cronos)).toBe(CHILD_CRO_WEI);
    expect(await parent.cronos.minedNonce()).toBe(nonce + 1);
    expect((await parent.chain.childGrants.childGrants(child.akash)).deposit?.remainingUact).toBe("1000000");
    expect(parent.store.intents.get("fund-0:cro")).toMatchObject({ kind: "cronos_transfer", state: "done" });
    expect(parent.store.spending.get("fund-0:cro")).toMatchObject({
      kind: "child_funding",
      denom: "wei",
      amount: CHILD_CRO_WEI,
    });
    expect(parent.store.spending.get("fund-0:cro:fee")?.amount).toBeGreaterThan(0n);
    expect(parent.store.children.byId(child.childId)?.funded).toEqual({ wei: CHILD_CRO_WEI.toString() });

    // A restart re-invokes the actor with the same input: the recorded transfer is found, none is sent.
    await parent.restart();
    await fund(parent, "fund-0", child.akash);
    expect(await croOf(child.cronos)).toBe(CHILD_CRO_WEI);
    expect(await parent.cronos.minedNonce()).toBe(nonce + 1);
    expect(parent.store.children.byId(child.childId)?.funded).toEqual({ wei: CHILD_CRO_WEI.toString() });

    // `akash-agent family --json` reads the child's Cronos address and CRO.
    const warnings: string[] = [];
    const views = await readChildrenCro(
      { ...config, devnet: { ...config.devnet, url: devnet.control } },
      parent.store.children.all().filter((c) => c.id === child.childId),
      (line) => warnings.push(line),
    );
    expect(views).toEqual([{ address: child.cronos, balanceWei: CHILD_CRO_WEI.toString() }]);
    expect(warnings).toEqual([]);
  });

  it.each<{ step: CronosLegStep }>([{ step: "signed" }, { step: "sent" }, { step: "mined" }])(
    "a parent killed once the transfer is $step sends it once after its restart",
    async ({ step }) => {
      const index = { signed: 1, sent: 2, mined: 3 }[step];
      // A child registered before children had a Cronos address: it is derived from its index.
      const child = registerChild(parent, index, { withCronos: false });
      const key = `fund-${index}`;
      const nonce = await parent.cronos.minedNonce();
      const crash = (leg: CronosLegKind, at: CronosLegStep) => {
        if (leg === "cronos_transfer" && at === step) throw new SimulatedCrash(`${leg}:${at}`);
      };
      await expect(fund(parent, key, child.akash, { onStep: crash })).rejects.toBeInstanceOf(SimulatedCrash);
      expect(parent.store.spending.get(`${key}:cro`)).toBeUndefined();

      await parent.restart();
      await fund(parent, key, child.akash);
      expect(await croOf(child.cronos)).toBe(CHILD_CRO_WEI);
      expect(await parent.cronos.minedNonce()).toBe(nonce + 1);
      expect(parent.store.cronosTxs.list(`${key}:cro`)).toHaveLength(1);
      expect(parent.store.spending.get(`${key}:cro`)?.amount).toBe(CHILD_CRO_WEI);
      rows.push(
        `| killed after ${step.padEnd(6)} | transfers from the parent ${(await parent.cronos.minedNonce()) - nonce} | child holds ${(await croOf(child.cronos)) / 10n ** 18n} CRO |`,
      );
    },
  );

  it("refuses CRO over a cap or without a Cronos leg before anything is sent, naming the setting", async () => {
    const child = registerChild(parent, 10);
    const nonce = await parent.cronos.minedNonce();
    // 500 CRO is $50 at $0.10, over the $40 per-transaction cap.
    const overCap = await refusal(() => fund(parent, "fund-10", child.akash, { croWei: 500n * 10n ** 18n }));
    expect(overCap.kind).toBe("cap_exceeded");
    expect(overCap.message).toBe(
      "reproduction.childCroWei (500.0000 CRO, $50.00 at budget.croUsd $0.1) is over the cap of $40 on one Cronos transaction (budget.perSwapCapUsd): lower reproduction.childCroWei or raise the cap",
    );
    const noLeg = await refusal(() => fund(parent, "fund-10", child.akash, { cronos: false }));
    expect(noLeg.kind).toBe("fatal");
    expect(noLeg.message).toMatch(
      /^reproduction\.childCroWei is 100000000000000000000 but this network has no Cronos endpoints/,
    );
    // Neither sent a grant nor a transfer.
    expect(await parent.chain.childGrants.childGrants(child.akash)).toEqual({ deposit: null, fee: null });
    expect(parent.store.intents.get("fund-10:cro")).toBeUndefined();
    expect(await parent.cronos.minedNonce()).toBe(nonce);
    expect(await croOf(child.cronos)).toBe(0n);

    // With reproduction.childCroWei "0" and no Cronos leg the child is funded without CRO.
    await fund(parent, "fund-10", child.akash, { cronos: false, croWei: 0n });
    expect((await parent.chain.childGrants.childGrants(child.akash)).deposit?.remainingUact).toBe("1000000");
    expect(parent.store.intents.get("fund-10:cro")).toBeUndefined();

    // An agent started with CRO for children it could never send is refused at start.
    const enabled = (childCroWei: string, budget = {}) =>
      loadConfig({
        env: {},
        flags: { "reproduction.enabled": true, "reproduction.childCroWei": childCroWei, ...budget },
      });
    expect(() => requireChildCroWithinReach(enabled("1000"), undefined)).toThrow(UsageError);
    expect(() => requireChildCroWithinReach(enabled("1000"), undefined)).toThrow(
      /reproduction\.childCroWei = "1000" but the devnet network has no Cronos endpoints/,
    );
    const leg = { client: parent.cronos, policy: fastCronosPolicy, fundAkash: false };
    expect(() => requireChildCroWithinReach(enabled("1000"), leg)).not.toThrow();
    expect(() => requireChildCroWithinReach(enabled("0"), undefined)).not.toThrow();
    expect(() => requireChildCroWithinReach(enabled(`${600n * 10n ** 18n}`), leg)).toThrow(
      /over the cap of \$50 on one Cronos transaction \(budget\.perSwapCapUsd\)/,
    );
    // $45 of CRO beside the default $50 budget of ACT is over the $50 per-child cap.
    expect(() => requireChildCroWithinReach(enabled(`${450n * 10n ** 18n}`), leg)).toThrow(
      /makes one child's funding \$95\.00, over budget\.childAllocationCapUsd \(\$50\)/,
    );
  });

  it("the child's own treasury sees its CRO and swaps it for AKT; retirement sweeps the rest back to the parent", async () => {
    const child = registerChild(parent, 20);
    await fund(parent, "fund-20", child.akash);
    const childKey = childEvmKey(parent.mnemonic, 20);
    expect(childKey.address).toBe(child.cronos);

    // The child as it runs: its own account (deposits and fees on the parent's grants) and its own Cronos key.
    const childWallets = await createAkashWallets(deriveChildMnemonic(parent.mnemonic, 20), 0);
    expect(childWallets.address).toBe(child.akash);
    const childDir = mkdtempSync(join(tmpdir(), "child-cro-child-"));
    const childStore = openAgentStore({ dataDir: childDir });
    const childChain = await connectAkash({
      endpoints: endpointsFromDevnet(devnet),
      wallets: childWallets,
      store: childStore,
      fundedBy: parent.akash,
      options: FAST,
    });
    const childCronos = new CronosClient(endpoints, childKey.privateKey);
    try {
      const childTreasury = createTreasuryActors(
        {
          chain: childChain.chain,
          store: childStore,
          settings: actorSettingsFromConfig(config, { blockSeconds: 0.1, pollIntervalMs: 50 }),
          logger,
          now: Date.now,
          keys: { identity: { akash: child.akash } },
          cronos: { client: childCronos, policy: fastCronosPolicy, fundAkash: false },
        } as unknown as AgentServices,
        { feeReserveUakt: feeReserveUakt(config) },
      );
      const balances = await toPromise(createActor(childTreasury.readBalances).start());
      expect(balances.croWei).toBe(CHILD_CRO_WEI.toString());

      const ownUakt = async () => BigInt((await parent.chain.chain.balances(child.akash)).uakt);
      const swap = await toPromise(
        createActor(childTreasury.swapCroForAkt, {
          input: { key: "child-swap-1", amountUakt: "1000000" },
        }).start(),
      );
      expect(swap.receivedUakt).toBe("1000000");
      expect(await ownUakt()).toBe(1_000_000n);
      const croLeft = await childCronos.croWei();
      expect(croLeft).toBeLessThan(CHILD_CRO_WEI);

      // Retirement: no deployment to close, its AKT and then its CRO back to the parent, grants revoked.
      const parentCroBefore = await croOf(parent.evm);
      const retire = () =>
        retireChildAccount({
          key: "retire-20",
          child: { childId: child.childId, akash: child.akash },
          parentAkash: parent.akash,
          childChain: childChain.chain,
          parentChain: parent.chain.chain,
          childGrants: parent.chain.childGrants,
          logger,
          cro: {
            parentCronos: parent.evm,
            deps: {
              client: childCronos,
              store: parent.store,
              policy: fastCronosPolicy,
              logger,
              now: Date.now,
            },
          },
        });
      const retired = await retire();
      const swept = BigInt(retired.sweptCroWei);
      const dust = await childCronos.croWei();
      expect(swept).toBeGreaterThan(0n);
      expect(swept + dust).toBeLessThan(croLeft);
      expect(dust).toBeLessThan(fastCronosPolicy.gasFeeCeilingWei * TRANSFER_GAS);
      expect(await croOf(parent.evm)).toBe(parentCroBefore + swept);
      expect(retired.sweptUakt).toBe("1000000");
      expect(await parent.chain.childGrants.childGrants(child.akash)).toEqual({ deposit: null, fee: null });
      rows.push(
        `| retirement | child had ${croLeft} wei after its swap | swept ${swept} wei | dust left ${dust} wei |`,
      );

      // Retired again (a retirement killed after its sweep runs again): the same sweep, nothing sent.
      const childNonce = await childCronos.minedNonce();
      expect((await retire()).sweptCroWei).toBe(retired.sweptCroWei);
      expect(await childCronos.minedNonce()).toBe(childNonce);
      expect(await croOf(parent.evm)).toBe(parentCroBefore + swept);
    } finally {
      childCronos.close();
      await childChain.chain.close();
      childStore.close();
      rmSync(childDir, { recursive: true, force: true });
    }
  });

  it("two transfers from one address at once (a child's CRO beside an emergency swap) take two nonces", async () => {
    const nonce = await parent.cronos.minedNonce();
    const deps = {
      client: parent.cronos,
      store: parent.store,
      policy: fastCronosPolicy,
      logger,
      now: Date.now,
    };
    const [a, b] = [childIdentity(parent.mnemonic, 40), childIdentity(parent.mnemonic, 41)];
    const mined = await Promise.all([
      sendCro({ key: "together-a", purpose: "child_funding", to: a.cronos, wei: 1n }, deps),
      sendCro({ key: "together-b", purpose: "child_funding", to: b.cronos, wei: 2n }, deps),
    ]);
    expect(mined.every((tx) => tx.succeeded)).toBe(true);
    const nonces = ["together-a", "together-b"].map((key) => parent.store.cronosTxs.list(key)[0]!.nonce);
    expect(nonces.sort()).toEqual([nonce, nonce + 1]);
    expect([await croOf(a.cronos), await croOf(b.cronos)]).toEqual([1n, 2n]);
  });

  it("a child with no CRO is retired without a Cronos transfer", async () => {
    const child = registerChild(parent, 30);
    await fund(parent, "fund-30", child.akash, { croWei: 0n });
    const childWallets = await createAkashWallets(deriveChildMnemonic(parent.mnemonic, 30), 0);
    const childDir = mkdtempSync(join(tmpdir(), "child-cro-child-"));
    const childStore = openAgentStore({ dataDir: childDir });
    const childChain = await connectAkash({
      endpoints: endpointsFromDevnet(devnet),
      wallets: childWallets,
      store: childStore,
      fundedBy: parent.akash,
      options: FAST,
    });
    const childCronos = new CronosClient(endpoints, childEvmKey(parent.mnemonic, 30).privateKey);
    try {
      const retired = await retireChildAccount({
        key: "retire-30",
        child: { childId: child.childId, akash: child.akash },
        parentAkash: parent.akash,
        childChain: childChain.chain,
        parentChain: parent.chain.chain,
        childGrants: parent.chain.childGrants,
        logger,
        cro: {
          parentCronos: parent.evm,
          deps: { client: childCronos, store: parent.store, policy: fastCronosPolicy, logger, now: Date.now },
        },
      });
      expect(retired.sweptCroWei).toBe("0");
      expect(parent.store.intents.get("retire-30:cro-sweep")).toBeUndefined();
      expect(await childCronos.minedNonce()).toBe(0);
    } finally {
      childCronos.close();
      await childChain.chain.close();
      childStore.close();
      rmSync(childDir, { recursive: true, force: true });
    }
  });
});
