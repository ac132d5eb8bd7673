import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MsgSignProviderAttributes } from "@akashnetwork/chain-sdk/private-types/akash.v1";
import { type ArweaveDevnet, arweaveControlRoutes, startArweaveDevnet } from "./arweave/index.js";
import { BlockProducer } from "./chain/block-producer.js";
import { Chain } from "./chain/chain.js";
import { readChainSnapshot, writeChainSnapshot } from "./chain/chain-snapshot.js";
import { bidKey, escrowAccountKey, type LeaseRecord } from "./chain/chain-state.js";
import { decFromString } from "./chain/decimal.js";
import { buildGenesisState, DEFAULT_CHAIN_PARAMS } from "./chain/genesis.js";
import { EscrowScope } from "./chain/modules/escrow-keeper.js";
import { ALL_HANDLERS, END_BLOCKERS } from "./chain/modules/index.js";
import {
  bidIdJson,
  deploymentEscrowXid,
  LeaseClosedReason,
  LeaseState,
} from "./chain/modules/market-keeper.js";
import { ConsoleApi } from "./console-api.js";
import { ControlApi } from "./control-api.js";
import { type CronosDevnet, cronosControlRoutes, startCronosDevnet } from "./cronos/index.js";
import { DEFAULT_BLOCK_TIME_MS, DEFAULT_PROVIDER_COUNT } from "./devnet-defaults.js";
import type {
  DevnetEndpoints,
  DevnetFaults,
  DevnetHandle,
  DevnetOptions,
  LeaseIdInput,
} from "./devnet-types.js";
import { deriveDevnetKeys } from "./devnet-wallet.js";
import { type DnsDevnet, dnsControlRoutes, startDnsDevnet } from "./dns/index.js";
import { Faucet } from "./faucet.js";
import { GrpcServer } from "./grpc/grpc-server.js";
import { buildQueryRouter } from "./grpc/queries/index.js";
import { LOOPBACK } from "./http-utils.js";
import { InProcessSigner, TxRejectedError } from "./in-process-signer.js";
import { NetworkFaults } from "./network-faults.js";
import { nostrControlRoutes, startNostrDevnet } from "./nostr/index.js";
import { failingImageRoutes } from "./provider/failing-image-routes.js";
import { FailingImages } from "./provider/failing-images.js";
import { generateProviderCertificate } from "./provider/provider-certificate.js";
import { ProviderGateway } from "./provider/provider-gateway.js";
import { ProviderNode } from "./provider/provider-node.js";
import { defaultProfiles, type ProviderProfile } from "./provider/provider-profile.js";
import { seededRandom } from "./provider/seeded-random.js";
import { AlertReceivers, receivedReadRoutes, receiverControlRoutes } from "./receivers/index.js";
import { CometRpcServer } from "./rpc/comet-rpc-server.js";
import { validatorIdentity } from "./validator-identity.js";

export { DEFAULT_BLOCK_TIME_MS, DEFAULT_PROVIDER_COUNT };

const AUDITED_KEYS = new Set(["host", "tier", "organization", "location-region", "country"]);

function positiveInt(name: string, value: number | undefined, fallback: number, min = 1): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min)
    throw new RangeError(`startDevnet: ${name} must be an integer >= ${min} (got ${value})`);
  return v;
}

/**
 * Starts a local Akash network on loopback: a single-validator chain (CometBFT RPC + gRPC), simulated
 * providers with HTTPS gateways, a faucet, the Console provider API and the control API for faults.
 */
export async function startDevnet(options: DevnetOptions = {}): Promise<DevnetHandle> {
  const blockTimeMs = positiveInt("blockTimeMs", options.blockTimeMs, DEFAULT_BLOCK_TIME_MS, 10);
  const profiles: readonly ProviderProfile[] =
    typeof options.providers === "object"
      ? options.providers
      : defaultProfiles(positiveInt("providers", options.providers, DEFAULT_PROVIDER_COUNT, 0));
  const chainId = options.chainId ?? "akash-devnet-1";
  const aktPriceUsd = options.aktPriceUsd ?? "1.25";
  const timings = {
    manifestTimeoutMs: positiveInt("manifestTimeoutMs", options.manifestTimeoutMs, 300_000),
    bidTimeoutMs: positiveInt("bidTimeoutMs", options.bidTimeoutMs, 300_000),
    workloadStartDelayMs: positiveInt("workloadStartDelayMs", options.workloadStartDelayMs, 2000, 0),
    withdrawalBlocks: positiveInt("providerWithdrawalBlocks", options.providerWithdrawalBlocks, 100, 0),
  };

  const keys = await deriveDevnetKeys(profiles.length);
  const state = buildGenesisState(
    [
      { address: keys.faucet, coins: [{ denom: "uakt", amount: 10n ** 17n }] },
      { address: keys.auditor, coins: [{ denom: "uakt", amount: 10n ** 10n }] },
      ...keys.providers.map((address) => ({ address, coins: [{ denom: "uakt", amount: 10n ** 13n }] })),
    ],
    {
      ...DEFAULT_CHAIN_PARAMS,
      aktPriceUsd: decFromString(aktPriceUsd),
      bmeMinEpochBlocks: BigInt(positiveInt("bmeEpochBlocks", options.bmeEpochBlocks, 10)),
    },
  );
  const chain = new Chain({
    chainId,
    state,
    handlers: ALL_HANDLERS,
    endBlockers: END_BLOCKERS,
    minGasPriceUakt: options.minGasPrice ?? "0.025",
    genesisTime: new Date(),
  });
  const snapshotPath = options.dataDir !== undefined ? join(options.dataDir, "chain.json") : undefined;
  if (snapshotPath !== undefined) {
    mkdirSync(options.dataDir!, { recursive: true });
    if (existsSync(snapshotPath)) chain.restore(readChainSnapshot(snapshotPath));
  }
  const validator = validatorIdentity(chainId);
  const queries = buildQueryRouter(chain, validator.address);
  const networkFaults = new NetworkFaults();
  const rpc = new CometRpcServer({ chain, queries, faults: networkFaults, validator });
  const grpc = new GrpcServer(queries, networkFaults);
  const signer = new InProcessSigner(chain, keys.wallet, keys.accounts);
  const random = seededRandom(options.seed ?? 1);

  const providers: ProviderNode[] = [];
  const failingImages = new FailingImages();
  const gateways = new Map<string, ProviderGateway>();
  const producer = new BlockProducer(chain, blockTimeMs);
  const stoppables: { stop(): Promise<void> }[] = [];

  const ownVolumeRoot =
    options.agentVolumeRoot === undefined && options.agentCommand?.length
      ? mkdtempSync(join(tmpdir(), "akash-devnet-volumes-"))
      : undefined;
  const agentVolumeRoot = options.agentVolumeRoot ?? ownVolumeRoot;
  if (options.agentVolumeRoot !== undefined) mkdirSync(options.agentVolumeRoot, { recursive: true });

  const stop = async () => {
    producer.stop();
    chain.close();
    if (snapshotPath !== undefined) writeChainSnapshot(snapshotPath, chain.snapshot());
    await Promise.all(providers.map((p) => p.stop()));
    await Promise.all([...gateways.values()].map((g) => g.stop()));
    await Promise.all(stoppables.map((s) => s.stop()));
    if (ownVolumeRoot !== undefined) rmSync(ownVolumeRoot, { recursive: true, force: true });
  };

  try {
    const rpcUrl = await rpc.start(options.ports?.rpc);
    stoppables.push(rpc);
    const grpcUrl = await grpc.start(options.ports?.grpc);
    stoppables.push(grpc);

    profiles.forEach((profile, index) => {
      const address = keys.providers[index]!;
      const node = new ProviderNode({
        address,
        profile,
        certificate: generateProviderCertificate(address, LOOPBACK),
        chain,
        signer,
        timings,
        runtime: {
          ...(options.agentImage !== undefined ? { agentImage: options.agentImage } : {}),
          ...(options.agentCommand !== undefined ? { agentCommand: options.agentCommand } : {}),
          ...(options.agentEnv !== undefined ? { agentEnv: options.agentEnv } : {}),
          ...(options.agentCwd !== undefined ? { agentCwd: options.agentCwd } : {}),
          ...(options.agentLogDir !== undefined ? { agentLogDir: options.agentLogDir } : {}),
          ...(agentVolumeRoot !== undefined ? { agentVolumeRoot } : {}),
        },
        random: seededRandom(Math.floor(random() * 2 ** 32)),
        failingImages,
      });
      providers.push(node);
      gateways.set(address, new ProviderGateway(node, chain));
    });
    for (const node of providers) node.hostUri = await gateways.get(node.address)!.start();

    // Bring-up happens in blocks committed right away, so a slow block time does not slow start-up.
    const registrations = await Promise.all(
      providers.map((p) =>
        signer.broadcast(p.address, p.registrationMessages(chain.state.providers.has(p.address))),
      ),
    );
    chain.produceBlock();
    for (const hash of registrations) {
      const result = chain.getTx(hash);
      if (result?.code !== 0)
        throw new TxRejectedError(result?.code ?? -1, result?.log ?? "provider registration missing");
    }
    const audited = providers.filter((p) => p.profile.audited);
    if (audited.length > 0) {
      const messages = audited.map((p) => {
        const message = MsgSignProviderAttributes.fromPartial({
          owner: p.address,
          auditor: keys.auditor,
          attributes: p.attributes.filter((a) => AUDITED_KEYS.has(a.key)),
        });
        return {
          typeUrl: `/${MsgSignProviderAttributes.$type}`,
          value: MsgSignProviderAttributes.encode(message).finish(),
        };
      });
      const hash = await signer.broadcast(keys.auditor, messages, "devnet audit");
      chain.produceBlock();
      const result = chain.getTx(hash);
      if (result?.code !== 0) throw new TxRejectedError(result?.code ?? -1, result?.log ?? "audit missing");
    }
    for (const node of providers) node.attach();
    if (snapshotPath !== undefined) chain.onBlock(() => writeChainSnapshot(snapshotPath, chain.snapshot()));

    let cronos: CronosDevnet | undefined;
    if (options.cronos !== false) {
      cronos = await startCronosDevnet({
        chain,
        aktPriceUsd,
        ...(typeof options.cronos === "object" ? { options: options.cronos } : {}),
        ...(options.ports?.cronosRpc !== undefined ? { port: options.ports.cronosRpc } : {}),
      });
      stoppables.push(cronos);
    }
    const nostr =
      options.nostr === false
        ? undefined
        : await startNostrDevnet({
            ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
            ...(options.ports?.nostrRelay !== undefined ? { port: options.ports.nostrRelay } : {}),
          });
    if (nostr) stoppables.push(nostr);
    const receivers = options.receivers === false ? undefined : new AlertReceivers();
    if (receivers) {
      stoppables.push(receivers);
      await receivers.start(options.ports?.receivers);
    }

    let arweave: ArweaveDevnet | undefined;
    if (options.arweave !== false) {
      arweave = await startArweaveDevnet({
        ...(typeof options.arweave === "object" ? { options: options.arweave } : {}),
        ...(options.ports?.arweaveGateway !== undefined ? { port: options.ports.arweaveGateway } : {}),
      });
      stoppables.push(arweave);
    }

    let dns: DnsDevnet | undefined;
    if (options.dns !== false) {
      dns = await startDnsDevnet({
        names: () => providers.map((p) => ({ address: p.address, hostnames: p.ingressHostnames() })),
        ...(options.ports?.dns !== undefined ? { port: options.ports.dns } : {}),
      });
      stoppables.push(dns);
    }

    const faucet = new Faucet(chain, signer, keys.faucet, {
      ...(cronos ? { evm: cronos.control } : {}),
      ...(arweave ? { arweave: arweave.control } : {}),
    });
    const faucetUrl = await faucet.start(options.ports?.faucet);
    stoppables.push(faucet);
    const consoleApi = new ConsoleApi(chain, () => providers, [keys.auditor], networkFaults);
    const consoleUrl = await consoleApi.start(options.ports?.consoleApi);
    stoppables.push(consoleApi);

    const providerByAddress = (address: string) => {
      const node = providers.find((p) => p.address === address);
      if (!node) throw new RangeError(`unknown provider ${address}`);
      return node;
    };
    const findLease = (input: LeaseIdInput): LeaseRecord => {
      const dseq = BigInt(input.dseq);
      const candidates = [...chain.state.leases.values()].filter(
        (l) =>
          l.owner === input.owner &&
          l.dseq === dseq &&
          l.provider === input.provider &&
          (input.gseq === undefined || l.gseq === input.gseq) &&
          (input.oseq === undefined || l.oseq === input.oseq) &&
          (l.state === LeaseState.active || l.state === LeaseState.reclaiming),
      );
      const lease = candidates[0];
      if (!lease) throw new RangeError(`no active lease ${input.owner}/${dseq} on ${input.provider}`);
      return lease;
    };
    const nextBlock = () =>
      new Promise<bigint>((resolve) => {
        const off = chain.onBlock((b) => {
          off();
          resolve(b.block.height);
        });
      });

    const faults: DevnetFaults = {
      async setProviderOnline(address, online) {
        const node = providerByAddress(address);
        node.setOnline(online);
        const gateway = gateways.get(address)!;
        if (online && !gateway.listening) await gateway.start();
        if (!online) await Promise.all([gateway.stop(), node.stopWorkloads()]);
      },
      degradeProvider(address, health) {
        providerByAddress(address).health = health;
      },
      async reclaimLease(input, windowMs) {
        const lease = findLease(input);
        let deadline = 0;
        chain.scheduleSystemAction("reclaim-lease", (ctx) => {
          const key = bidKey(lease.owner, lease.dseq, lease.gseq, lease.oseq, lease.provider, lease.bseq);
          const current = ctx.state.leases.get(key);
          if (!current || current.state !== LeaseState.active) throw new Error("lease is no longer active");
          deadline = Math.ceil((ctx.time.getTime() + windowMs) / 1000);
          ctx.state.leases.set(key, { ...current, state: LeaseState.reclaiming, reclaimDeadline: deadline });
          ctx.events.emit("akash.market.v1.EventLeaseReclaimStarted", {
            id: JSON.stringify(bidIdJson(current)),
            reason: JSON.stringify("lease_closed_reason_decommission"),
            deadline: JSON.stringify(String(deadline)),
          });
        });
        const height = await nextBlock();
        if (deadline === 0) throw new Error("reclamation could not start: the lease closed meanwhile");
        return { deadline, height: height.toString() };
      },
      async closeLease(input, reason) {
        const lease = findLease(input);
        await providerByAddress(lease.provider).closeBid(lease, reason ?? LeaseClosedReason.unspecified);
      },
      injectRpcFault: (spec) => networkFaults.add(spec),
      clearRpcFaults: () => networkFaults.clear(),
      failNextTx(spec = {}) {
        chain.injectTxFault({
          ...(spec.address !== undefined ? { address: spec.address } : {}),
          stage: spec.stage ?? "deliverTx",
          code: spec.code ?? 6,
          codespace: "sdk",
          log: spec.log ?? "devnet fault injection: transaction failed: unknown request",
        });
      },
      async drainAccount(address, denom) {
        chain.scheduleSystemAction("drain-account", (ctx) => {
          for (const coin of ctx.state.balancesOf(address)) {
            if (denom === undefined || coin.denom === denom) ctx.state.setBalance(address, coin.denom, 0n);
          }
        });
        await nextBlock();
      },
      async drainEscrow(owner, dseq) {
        const xid = deploymentEscrowXid(owner, BigInt(dseq));
        const key = escrowAccountKey(EscrowScope.deployment, xid);
        if (!chain.state.escrowAccounts.has(key)) throw new RangeError(`no escrow account ${xid}`);
        chain.scheduleSystemAction("drain-escrow", (ctx) => {
          const account = ctx.state.escrowAccounts.get(key)!;
          ctx.state.escrowAccounts.set(key, {
            ...account,
            funds: account.funds.map((f) => ({ denom: f.denom, amount: 0n })),
            deposits: [],
          });
        });
        await nextBlock();
      },
    };

    const endpoints = (): DevnetEndpoints => ({
      chainId,
      rpc: rpcUrl,
      websocket: `${rpcUrl.replace(/^http:/, "ws:")}/websocket`,
      grpc: grpcUrl,
      faucet: faucetUrl,
      control: controlUrl,
      consoleApi: consoleUrl,
      blockTimeMs,
      auditors: [keys.auditor],
      providers: providers.map((p) => ({
        address: p.address,
        hostUri: p.hostUri,
        region: p.profile.region,
        audited: p.profile.audited,
      })),
      ...(cronos ? { cronos: cronos.info } : {}),
      ...(nostr ? { nostr: nostr.info } : {}),
      ...(receivers ? { receivers: receivers.info } : {}),
      ...(arweave ? { arweave: arweave.info } : {}),
      ...(dns ? { dns: dns.server } : {}),
    });
    const control = new ControlApi({
      endpoints: () => endpoints(),
      status: async () => ({
        height: chain.height.toString(),
        latestBlockTime: chain.latestBlock.time.toISOString(),
        rpcFaults: networkFaults.active(),
        pendingTxFaults: chain.pendingTxFaults().length,
        providers: providers.map((p) => ({
          address: p.address,
          online: p.online,
          health: p.health,
          leases: p.leases.size,
        })),
        failingImages: failingImages.list(),
        ...(cronos ? { cronos: await cronos.control.status() } : {}),
        ...(nostr ? { nostr: nostr.control.status() } : {}),
        ...(receivers ? { receivers: receivers.status() } : {}),
        ...(arweave ? { arweave: await arweave.control.status() } : {}),
        ...(dns ? { dns: dns.control.status() } : {}),
      }),
      faults,
      extraRoutes: {
        ...cronosControlRoutes(cronos?.control),
        ...nostrControlRoutes(nostr?.control),
        ...receiverControlRoutes(receivers),
        ...arweaveControlRoutes(arweave?.control),
        ...dnsControlRoutes(dns?.control),
        ...failingImageRoutes(failingImages),
      },
      readRoutes: {
        ...receivedReadRoutes(receivers),
        // Where the agent's image runs as a process (no env: it may hold agentEnv values).
        "GET /agents": () =>
          providers.flatMap((p) =>
            p.agentProcesses().map(({ owner, dseq, service, pid, logFile, restarts }) => ({
              owner,
              dseq,
              service,
              pid,
              logFile,
              restarts,
            })),
          ),
      },
    });
    const controlUrl = await control.start(options.ports?.control);
    stoppables.push(control);

    producer.start();
    const snapshot = endpoints();
    return {
      ...snapshot,
      ...faults,
      endpoints,
      ...(cronos ? { cronosControl: cronos.control } : {}),
      ...(nostr ? { nostrControl: nostr.control } : {}),
      ...(receivers ? { receiversControl: receivers } : {}),
      ...(arweave ? { arweaveControl: arweave.control } : {}),
      ...(dns ? { dnsControl: dns.control } : {}),
      fund: (address, amount, denom = "uakt") => faucet.fund(address, BigInt(amount), denom),
      height: () => chain.height,
      agentProcesses: () => providers.flatMap((p) => p.agentProcesses()),
      failingImages,
      waitForHeight: (height) =>
        chain.height >= height
          ? Promise.resolve()
          : new Promise<void>((resolve) => {
              const off = chain.onBlock((b) => {
                if (b.block.height >= height) {
                  off();
                  resolve();
                }
              });
            }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
