import { performance } from "node:perf_hooks";
import { createChainNodeSDK, createStargateClient, JwtTokenManager, SDL } from "@akashnetwork/chain-sdk";
import { Source } from "@akashnetwork/chain-sdk/private-types/akash.v1";
import { Secp256k1HdWallet } from "@cosmjs/amino";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import type { DevnetHandle } from "../src/devnet/index.js";
import { tenantSdl } from "../support/devnet-sdl.js";
import { providerRequest } from "../support/provider-request.js";
import { FUNDING_UAKT } from "./deploy-agent-run.js";
import type { DeployTiming } from "./deploy-timing.js";

export interface UsualDeployOptions {
  /** How often the script looks again (ACT balance, bids, lease status). */
  readonly pollMs: number;
  /** Bids to wait for before choosing (the agent's default too). */
  readonly minBids: number;
  /** Choose from what arrived once this long has passed. */
  readonly bidWindowMs: number;
  /** The first escrow deposit, in uact (the agent's default: 15 ACT). */
  readonly depositUact: bigint;
  /** The deposit's ACT is minted and settled before the clock starts (as for a second deploy). */
  readonly actOnHand?: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The same deploy "the usual way", as a tenant script writes it with chain-sdk and nothing else: its
 * clients with their defaults (cosmjs looks for a broadcast tx every 3 s), one transaction per step
 * (mint ACT, then create the deployment once the ACT has arrived, then the lease), and a fixed
 * interval to look at the balance, the bids and the lease status. Ends when every service is ready.
 */
export async function timeUsualDeploy(
  devnet: DevnetHandle,
  options: UsualDeployOptions,
): Promise<DeployTiming> {
  const wallet = await DirectSecp256k1HdWallet.generate(24, { prefix: "akash" });
  const aminoWallet = await Secp256k1HdWallet.fromMnemonic(wallet.mnemonic, { prefix: "akash" });
  const [account] = await wallet.getAccounts();
  const owner = account!.address;
  await devnet.fund(owner, FUNDING_UAKT);
  const tx = createStargateClient({ baseUrl: devnet.rpc, signer: wallet });
  const sdk = createChainNodeSDK({ query: { baseUrl: devnet.grpc }, tx: { signer: tx } });
  let txs = 0;
  let dseq: string | undefined;

  try {
    const mintDeposit = async () => {
      const price = await sdk.akash.oracle.v1.getAggregatedPrice({ denom: "uakt" });
      const aktUsd = Number(price.aggregatedPrice?.twap ?? "0");
      if (!(aktUsd > 0)) throw new Error("the oracle has no AKT price");
      const burn = BigInt(Math.ceil((Number(options.depositUact) / aktUsd) * 1.02));
      await sdk.akash.bme.v1.mintACT({
        owner,
        to: owner,
        coinsToBurn: { denom: "uakt", amount: burn.toString() },
      });
      for (;;) {
        const balance = await sdk.cosmos.bank.v1beta1.getBalance({ address: owner, denom: "uact" });
        if (BigInt(balance.balance?.amount ?? "0") >= options.depositUact) break;
        await sleep(options.pollMs);
      }
    };
    if (options.actOnHand) await mintDeposit();

    const startHeight = devnet.height();
    const started = performance.now();
    if (!options.actOnHand) {
      await mintDeposit();
      txs += 1;
    }

    const auditor = (await sdk.akash.audit.v1.getAllProvidersAttributes({})).providers[0]?.auditor;
    const sdl = SDL.fromString(tenantSdl({ ...(auditor ? { auditor } : {}), image: "nginx:1.27" }), "beta3");
    const latest = await sdk.cosmos.base.tendermint.v1beta1.getLatestBlock();
    dseq = latest.block!.header!.height.toString();
    await sdk.akash.deployment.v1beta4.createDeployment({
      id: { owner, dseq },
      groups: sdl.groups(),
      hash: await sdl.manifestVersion(),
      deposit: {
        amount: { denom: "uact", amount: options.depositUact.toString() },
        sources: [Source.balance],
      },
    });
    txs += 1;

    const bidsFrom = performance.now();
    let bids: Awaited<ReturnType<typeof sdk.akash.market.v1beta5.getBids>>["bids"] = [];
    for (;;) {
      await sleep(options.pollMs);
      bids = (await sdk.akash.market.v1beta5.getBids({ filters: { owner, dseq, state: "open" } })).bids;
      const windowClosed = performance.now() - bidsFrom >= options.bidWindowMs;
      if (bids.length >= options.minBids || (windowClosed && bids.length > 0)) break;
      if (windowClosed && performance.now() - bidsFrom >= options.bidWindowMs * 3) throw new Error("no bids");
    }
    const cheapest = [...bids].sort(
      (a, b) => Number(a.bid!.price!.amount) - Number(b.bid!.price!.amount),
    )[0]!;
    const bidId = cheapest.bid!.id!;
    await sdk.akash.market.v1beta5.createLease({ bidId });
    txs += 1;

    const provider = (await sdk.akash.provider.v1beta4.getProvider({ owner: bidId.provider })).provider!;
    const certificates = await sdk.akash.cert.v1.getCertificates({
      filter: { owner: bidId.provider, state: "valid", serial: "" },
    });
    const caPem = new TextDecoder().decode(certificates.certificates[0]!.certificate!.cert);
    const token = await new JwtTokenManager(aminoWallet).generateToken({
      version: "v1",
      iss: owner,
      exp: Math.floor(Date.now() / 1000) + 600,
      leases: {
        access: "granular",
        permissions: [{ provider: bidId.provider, access: "scoped", scope: ["send-manifest", "status"] }],
      },
    });
    const put = await providerRequest(provider.hostUri, `/deployment/${dseq}/manifest`, {
      method: "PUT",
      token,
      body: sdl.manifestSortedJSON(),
      caPem,
    });
    if (put.status !== 200) throw new Error(`the provider refused the manifest: ${put.status} ${put.body}`);

    const statusPath = `/lease/${dseq}/${bidId.gseq}/${bidId.oseq}/status`;
    for (;;) {
      await sleep(options.pollMs);
      const answer = await providerRequest(provider.hostUri, statusPath, { token, caPem });
      if (answer.status !== 200) continue;
      const status = JSON.parse(answer.body) as {
        services: Record<string, { ready_replicas: number; total: number }>;
      };
      const services = Object.values(status.services);
      if (services.length > 0 && services.every((service) => service.ready_replicas >= service.total)) break;
    }
    return { wallMs: performance.now() - started, blocks: Number(devnet.height() - startHeight), txs };
  } finally {
    if (dseq)
      await sdk.akash.deployment.v1beta4.closeDeployment({ id: { owner, dseq } }).catch(() => undefined);
    await tx.disconnect();
  }
}
