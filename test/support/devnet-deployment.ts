import { SDL } from "@akashnetwork/chain-sdk";
import { Source } from "@akashnetwork/chain-sdk/private-types/akash.v1";
import { type Tenant, waitFor } from "./devnet.js";

export interface OpenedDeployment {
  readonly dseq: string;
  readonly sdl: SDL;
}

/**
 * Creates a deployment from `sdlText` with chain-sdk at the current height as dseq. An SDL that
 * depends on its dseq (the agent's carries the dseq's activation nonce) is given as a function of it.
 */
export async function createDeployment(
  tenant: Tenant,
  sdlText: string | ((dseq: string) => string),
  depositUact = "5000000",
): Promise<OpenedDeployment> {
  const latest = await tenant.sdk.cosmos.base.tendermint.v1beta1.getLatestBlock();
  const dseq = latest.block!.header!.height.toString();
  const sdl = SDL.fromString(typeof sdlText === "string" ? sdlText : sdlText(dseq), "beta3");
  await tenant.sdk.akash.deployment.v1beta4.createDeployment({
    id: { owner: tenant.address, dseq },
    groups: sdl.groups(),
    hash: await sdl.manifestVersion(),
    deposit: { amount: { denom: "uact", amount: depositUact }, sources: [Source.balance] },
  });
  return { dseq, sdl };
}

/** Waits for at least `count` open bids on the deployment and returns them, cheapest first. */
export async function waitForBids(tenant: Tenant, dseq: string, count = 1, oseq?: number) {
  const bids = await waitFor(
    async () => {
      const r = await tenant.sdk.akash.market.v1beta5.getBids({
        filters: { owner: tenant.address, dseq, state: "open", ...(oseq ? { oseq } : {}) },
      });
      return r.bids.length >= count ? r.bids : undefined;
    },
    15_000,
    `${count} bid(s) on ${dseq}`,
  );
  return [...bids]
    .sort((a, b) => Number(a.bid!.price!.amount) - Number(b.bid!.price!.amount))
    .map((b) => b.bid!);
}

export interface OpenLease extends OpenedDeployment {
  readonly bidId: NonNullable<Awaited<ReturnType<typeof waitForBids>>[number]["id"]>;
  readonly hostUri: string;
  readonly caPem: string;
  readonly token: string;
}

/** Deployment → cheapest bid (from `provider` when given) → lease → manifest accepted by the provider. */
export async function openLease(
  tenant: Tenant,
  sdlText: string | ((dseq: string) => string),
  options: { provider?: string; bids?: number } = {},
): Promise<OpenLease> {
  const { JwtTokenManager } = await import("@akashnetwork/chain-sdk");
  const { providerRequest } = await import("../../support/provider-request.js");
  const deployment = await createDeployment(tenant, sdlText);
  const bids = await waitForBids(tenant, deployment.dseq, options.bids ?? 1);
  const bid = options.provider ? bids.find((b) => b.id!.provider === options.provider) : bids[0];
  if (!bid) throw new Error(`no bid from ${options.provider}`);
  const bidId = bid.id!;
  await tenant.sdk.akash.market.v1beta5.createLease({ bidId });
  const provider = (await tenant.sdk.akash.provider.v1beta4.getProvider({ owner: bidId.provider })).provider!;
  const certs = await tenant.sdk.akash.cert.v1.getCertificates({
    filter: { owner: bidId.provider, state: "valid", serial: "" },
  });
  const caPem = new TextDecoder().decode(certs.certificates[0]!.certificate!.cert);
  const token = await new JwtTokenManager(tenant.aminoWallet).generateToken({
    version: "v1",
    iss: tenant.address,
    exp: Math.floor(Date.now() / 1000) + 600,
    leases: { access: "full" },
  });
  const put = await providerRequest(provider.hostUri, `/deployment/${deployment.dseq}/manifest`, {
    method: "PUT",
    token,
    body: deployment.sdl.manifestSortedJSON(),
    caPem,
  });
  if (put.status !== 200) throw new Error(`manifest rejected: ${put.status} ${put.body}`);
  return { ...deployment, bidId, hostUri: provider.hostUri, caPem, token };
}
