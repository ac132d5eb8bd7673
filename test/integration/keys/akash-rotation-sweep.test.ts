import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StargateClient } from "@cosmjs/stargate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AkashRotationServices,
  createAkashKeyRotation,
  SWEEP_FEE_RESERVE_UAKT,
} from "../../../src/actors/akash-key-rotation.js";
import type { SelfHosting } from "../../../src/actors/self-hosting.js";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { EffectError } from "../../../src/domain/index.js";
import { createLogger } from "../../../src/logging/index.js";
import type { RotationStepInput } from "../../../src/machines/keys/keys.actors.js";
import {
  AkashAccounts,
  connectAkash,
  endpointsFromDevnet,
  type TxStepHook,
} from "../../../src/services/akash/index.js";
import {
  AgentKeys,
  createKeystoreContents,
  FileKeystore,
  generateMnemonic,
} from "../../../src/services/keys/index.js";
import { openAgentStore } from "../../../src/services/store/index.js";
import { startTestDevnet } from "../../support/devnet.js";
import { TEST_SCRYPT, testPassphrase } from "../../unit/keys/support/keystore-fixtures.js";
import { agentSdl, FAST } from "../akash/akash-test-kit.js";

const SEND = "/cosmos.bank.v1beta1.MsgSend";
const BURN = "/akash.bme.v1.MsgBurnACT";
const CLOSE = "/akash.deployment.v1beta4.MsgCloseDeployment";

/** An agent inside its own lease, as far as the rotation asks (it never hands over here). */
const insideItsLease: SelfHosting = {
  settings: () => ({}),
  importRelayEvents: async () => 0,
  handedOver: () => {},
};

/**
 * The Akash key rotation's chain steps on the devnet with the real clients: the next account is funded
 * once, the next index becomes primary, and the sweep closes the old key's deployment, burns its ACT
 * refund back to AKT and sends the AKT on — once, across a crash right after the sweep's broadcast and
 * a run of every step again.
 */
describe("akash key rotation: fund, switch and sweep on chain, once", { timeout: 90_000 }, () => {
  let devnet: DevnetHandle;
  let rpc: StargateClient;
  const dataDir = mkdtempSync(join(tmpdir(), "akash-rotation-"));
  const mnemonic = generateMnemonic();
  const keystore = new FileKeystore({
    path: join(dataDir, "keystore.json"),
    passphrase: testPassphrase(),
    scrypt: TEST_SCRYPT,
  });
  let keys: AgentKeys;
  let from: string;
  let to: string;
  const input: RotationStepInput = { key: "agent-x:rotate:akash:1", name: "akash", fromIndex: 0, toIndex: 1 };
  const logger = createLogger({ level: "silent", json: true });

  /** A process of the agent: its store and accounts; `onTxStep` stands in for a crash. */
  const open = async (onTxStep?: TxStepHook) => {
    const store = openAgentStore({ dataDir });
    const connect = (wallets: Awaited<ReturnType<AgentKeys["akashWallets"]>>) =>
      connectAkash({
        endpoints: endpointsFromDevnet(devnet),
        wallets,
        store,
        options: { ...FAST, ...(onTxStep ? { onTxStep } : {}) },
      });
    const current = AgentKeys.fromContents(await keystore.load());
    const index = current.identity.keyIndices.akash;
    const initial = await connect(await current.akashWallets(index));
    const services: AkashRotationServices = {
      akashAccounts: new AkashAccounts({
        initial: { index, ...initial },
        connect,
        wallets: (at) => services.keys.akashWallets(at),
        addressAt: (at) => services.keys.akashKey(at).address,
      }),
      selfHosting: insideItsLease,
      keystore,
      store,
      logger,
      now: Date.now,
      keys: current,
      settings: { pollIntervalMs: 100, mintSettleTimeoutMs: 20_000 },
    };
    const close = async (): Promise<void> => {
      await services.akashAccounts!.close();
      await initial.chain.close();
      store.close();
    };
    return { services, store, rotation: createAkashKeyRotation(services), close };
  };
  const successful = async (action: string, sender: string) =>
    (await rpc.searchTx(`message.action='${action}' AND message.sender='${sender}'`)).filter(
      (tx) => tx.code === 0,
    ).length;
  const balance = async (address: string, denom: string) =>
    BigInt((await rpc.getBalance(address, denom)).amount);

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 1, blockTimeMs: 100 });
    rpc = await StargateClient.connect(devnet.rpc);
    await keystore.save(await createKeystoreContents({ mnemonic, arweaveJwk: null, now: new Date() }));
    keys = AgentKeys.fromContents(await keystore.load());
    from = keys.akashKey(0).address;
    to = keys.akashKey(1).address;
    await devnet.fund(from, 30_000_000n);
    await devnet.fund(from, 3_000_000n, "uact");
  });
  afterAll(async () => {
    rpc?.disconnect();
    await devnet?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("funds the next key once and makes it primary, then sweeps the old account once across a crash", async () => {
    // The old key's deployment, as the agent's lease would hold it.
    const first = await open();
    const old = first.services.akashAccounts!.current;
    const sdl = await agentSdl(from, devnet.chainId);
    const dseq = String((await old.chain.height()) * 100 + 1);
    await old.chain.createDeployment({
      key: `deploy-${dseq}`,
      dseq,
      sdlYaml: sdl.yaml,
      manifestVersion: sdl.manifestVersion,
      depositUact: "1000000",
    });

    const activated = await first.rotation.activate(input);
    expect(activated.move).toEqual({ owner: to, fromOwner: from });
    expect((await keystore.load()).keyIndices.akash).toBe(1);
    expect(first.services.akashAccounts!.current.chain.owner).toBe(to);
    const funded = await balance(to, "uakt");
    expect(funded).toBeGreaterThan(20_000_000n);
    // Again (a restart in `activating`): nothing more is sent.
    await first.rotation.activate(input);
    expect(await balance(to, "uakt")).toBe(funded);
    expect(await successful(SEND, from)).toBe(1);
    await first.close();

    // The new leader sweeps; it "dies" the moment the sweep's send is in the mempool.
    const sweepKey = `${input.key}:sweep`;
    const crashing = await open((step, info) => {
      if (step === "broadcast" && info.key === sweepKey) throw new EffectError("fatal", "simulated crash");
    });
    await expect(crashing.rotation.revoke(input, new AbortController().signal)).rejects.toThrow(
      /simulated crash/,
    );
    await crashing.close();
    const restarted = await open();
    await restarted.rotation.revoke(input, new AbortController().signal);
    // And once more, as a restored `revoking` would.
    await restarted.rotation.revoke(input, new AbortController().signal);
    await restarted.close();

    expect(await successful(CLOSE, from)).toBe(1);
    expect((await old.chain.deployment(dseq))?.state).toBe("closed");
    expect(await successful(BURN, from)).toBe(1);
    expect(await successful(SEND, from)).toBe(2);
    expect(await balance(from, "uact")).toBe(0n);
    expect(await balance(from, "uakt")).toBeLessThanOrEqual(SWEEP_FEE_RESERVE_UAKT);
    expect(await balance(to, "uakt")).toBeGreaterThan(funded);
  });
});
