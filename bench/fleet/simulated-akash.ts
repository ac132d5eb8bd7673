import { createHash } from "node:crypto";
import type { GroupBidRequirements } from "../../src/domain/index.js";
import type {
  AkashChain,
  CloseDeploymentResult,
  CreateDeploymentRequest,
  ProviderDirectory,
  ProviderGateway,
  SubmitRequest,
  TxRequest,
  TxResult,
} from "../../src/services/akash/akash-service.js";
import type {
  BidInfo,
  DeploymentInfo,
  LeaseInfo,
  LeaseKey,
  LeaseState,
  ProviderInfo,
} from "../../src/services/akash/akash-types.js";

/**
 * An Akash chain in memory for the fleet bench, as the lease actors and the funder use it: every
 * agent is an owner account; a new deployment gets a bid from each provider at once; a lease drains
 * its deployment's escrow at its price per block as the simulated clock moves, and runs out of funds
 * when it is empty. Transactions are idempotent by key. A bench fixture, not a stand-in for the
 * network code: src/devnet is that.
 */

interface SimLease {
  key: LeaseKey;
  priceUact: number;
  createdAtHeight: number;
  closedAtHeight: number | null;
}

interface SimDeployment {
  owner: string;
  dseq: string;
  manifestVersion: string;
  createdAtHeight: number;
  closedAtHeight: number | null;
  depositedUact: number;
  bids: BidInfo[];
  lease: SimLease | null;
}

export interface SimulatedAkashOptions {
  now: () => number;
  blockSeconds: number;
  providers: number;
  /** Bid prices per block are spread over [min, max] uact, by dseq and provider. */
  bidPriceUact: { min: number; max: number };
}

/** Groups are not simulated: their spec asks nothing of a bidder. */
const NO_REQUIREMENTS: GroupBidRequirements = {
  attributes: [],
  signedBy: { allOf: [], anyOf: [] },
  resources: [],
};

const hashOf = (text: string) => createHash("sha256").update(text).digest("hex");

export class SimulatedAkash {
  readonly providers: ProviderInfo[];
  private readonly genesis: number;
  private readonly blockMs: number;
  private readonly accounts = new Map<string, Map<string, SimDeployment>>();
  private readonly txs = new Map<string, string>();
  /** Transactions broadcast (not counting repeats found done by key). */
  broadcasts = 0;

  constructor(private readonly options: SimulatedAkashOptions) {
    this.genesis = options.now();
    this.blockMs = options.blockSeconds * 1000;
    this.providers = Array.from({ length: options.providers }, (_, index) => ({
      owner: `akash1simprovider${index}`,
      hostUri: `https://provider-${index}.sim:8443`,
      attributes: [{ key: "location-region", value: index % 2 ? "us-west" : "eu-central" }],
    }));
  }

  height(): number {
    return 1 + Math.floor((this.options.now() - this.genesis) / this.blockMs);
  }

  chainFor(owner: string): AkashChain {
    const deployments = () => {
      let map = this.accounts.get(owner);
      if (!map) {
        map = new Map();
        this.accounts.set(owner, map);
      }
      return map;
    };
    const find = (dseq: string) => deployments().get(dseq);
    const once = (key: string, apply: () => void): TxResult => {
      const done = this.txs.get(`${owner}/${key}`);
      if (done !== undefined) return { alreadyDone: true, txHash: done };
      apply();
      const txHash = hashOf(`${owner}/${key}`);
      this.txs.set(`${owner}/${key}`, txHash);
      this.broadcasts += 1;
      return { alreadyDone: false, txHash, height: this.height() };
    };
    const createDeployment = (request: Omit<CreateDeploymentRequest, "key" | "sdlYaml">) => {
      if (find(request.dseq)) throw new Error(`deployment ${owner}/${request.dseq} exists`);
      const height = this.height();
      const { min, max } = this.options.bidPriceUact;
      deployments().set(request.dseq, {
        owner,
        dseq: request.dseq,
        manifestVersion: request.manifestVersion,
        createdAtHeight: height,
        closedAtHeight: null,
        depositedUact: Number(request.depositUact),
        lease: null,
        bids: this.providers.map((provider) => ({
          dseq: request.dseq,
          gseq: 1,
          oseq: 1,
          provider: provider.owner,
          state: "open",
          priceUact: String(
            min +
              (Number.parseInt(hashOf(`${owner}/${request.dseq}/${provider.owner}`).slice(0, 8), 16) %
                (max - min + 1)),
          ),
          createdAtHeight: height,
        })),
      });
    };
    const closeDeployment = (dseq: string): string => {
      const deployment = find(dseq);
      if (!deployment || deployment.closedAtHeight !== null) return "0";
      const height = this.height();
      const left = this.escrowLeft(deployment, height);
      deployment.closedAtHeight = height;
      if (deployment.lease && deployment.lease.closedAtHeight === null)
        deployment.lease.closedAtHeight = height;
      for (const bid of deployment.bids) bid.state = "closed";
      return String(Math.floor(left));
    };
    const createLease = (bid: LeaseKey) => {
      const deployment = find(bid.dseq);
      const chosen = deployment?.bids.find((open) => open.provider === bid.provider && open.state === "open");
      if (!deployment || !chosen) throw new Error(`no open bid from ${bid.provider} on ${bid.dseq}`);
      for (const other of deployment.bids) other.state = other === chosen ? "active" : "lost";
      deployment.lease = {
        key: { dseq: bid.dseq, gseq: bid.gseq, oseq: bid.oseq, provider: bid.provider },
        priceUact: Number(chosen.priceUact),
        createdAtHeight: this.height(),
        closedAtHeight: null,
      };
    };
    const deposit = (dseq: string, amountUact: string) => {
      const deployment = find(dseq);
      if (!deployment || deployment.closedAtHeight !== null)
        throw new Error(`deployment ${dseq} is not open`);
      deployment.depositedUact += Number(amountUact);
    };
    const leaseInfo = (deployment: SimDeployment): LeaseInfo | null => {
      const lease = deployment.lease;
      if (!lease) return null;
      const height = this.height();
      let state: LeaseState = lease.closedAtHeight === null ? "active" : "closed";
      if (state === "active" && this.escrowLeft(deployment, height) <= 0) state = "insufficient_funds";
      return {
        ...lease.key,
        state,
        priceUact: String(lease.priceUact),
        createdAtHeight: lease.createdAtHeight,
        closedAtHeight: lease.closedAtHeight,
      };
    };
    return {
      chainId: "akash-sim-1",
      owner,
      height: async () => this.height(),
      balances: async () => ({ uakt: "1000000000", uact: "1000000000" }),
      deployment: async (dseq) => {
        const deployment = find(dseq);
        return deployment ? this.deploymentInfo(deployment) : null;
      },
      activeDeployments: async () =>
        [...deployments().values()]
          .filter((deployment) => deployment.closedAtHeight === null)
          .map((deployment) => this.deploymentInfo(deployment)),
      // Groups are not simulated: a lease closed here never pauses one.
      groups: async (dseq) =>
        find(dseq) ? [{ dseq, gseq: 1, state: "open" as const, requirements: NO_REQUIREMENTS }] : [],
      bids: async (dseq) => find(dseq)?.bids.map((bid) => ({ ...bid })) ?? [],
      leases: async (dseq) => {
        const deployment = find(dseq);
        const info = deployment ? leaseInfo(deployment) : null;
        return info ? [info] : [];
      },
      lease: async (key) => {
        const deployment = find(key.dseq);
        const info = deployment ? leaseInfo(deployment) : null;
        return info && info.provider === key.provider ? info : null;
      },
      provider: async (address) => this.providers.find((provider) => provider.owner === address) ?? null,
      auditedProvider: async () => null,
      registeredProviders: async () => [],
      aktPriceUsd: async () => 0.5,
      createDeployment: async (request) => once(request.key, () => createDeployment(request)),
      closeDeployment: async (request: TxRequest & { dseq: string }): Promise<CloseDeploymentResult> => {
        let refundedUact: string | null = null;
        const result = once(request.key, () => {
          refundedUact = closeDeployment(request.dseq);
        });
        return { ...result, refundedUact };
      },
      createLease: async (request) => once(request.key, () => createLease(request.bid)),
      closeLease: async (request) =>
        once(request.key, () => {
          const lease = find(request.lease.dseq)?.lease;
          if (lease && lease.closedAtHeight === null) lease.closedAtHeight = this.height();
        }),
      startGroup: async (request) => once(request.key, () => undefined),
      deposit: async (request) => once(request.key, () => deposit(request.dseq, request.amountUact)),
      mintAct: async (request) => once(request.key, () => undefined),
      submit: async (request: SubmitRequest) =>
        once(request.key, () => {
          for (const message of request.messages) {
            if (message.type === "createDeployment") createDeployment(message);
            else if (message.type === "closeDeployment") closeDeployment(message.dseq);
            else if (message.type === "createLease") createLease(message.bid);
            else if (message.type === "deposit") deposit(message.dseq, message.amountUact);
          }
        }),
      close: async () => undefined,
    };
  }

  /** Every provider answers, and runs whatever it was sent at once. */
  readonly gateway: ProviderGateway = {
    sendManifest: async () => undefined,
    leaseStatus: async ({ lease }) => ({
      services: [
        { name: "agent", total: 1, ready: 1, uris: [`${lease.dseq}.${lease.provider}.ingress.sim`] },
      ],
      forwardedPorts: [],
    }),
    probe: async () => ({ ok: true, latencyMs: 5 }),
  };

  /** The Console API has every provider online. */
  readonly directory: ProviderDirectory = {
    providers: async (addresses) =>
      this.providers
        .filter((provider) => addresses.includes(provider.owner))
        .map((provider) => ({
          owner: provider.owner,
          hostUri: provider.hostUri,
          isOnline: true,
          isAudited: false,
          uptime1d: 0.99,
          uptime7d: 0.99,
          uptime30d: 0.99,
          attributes: provider.attributes.map((attribute) => ({ ...attribute, auditedBy: [] })),
        })),
  };

  /** The escrow and price of an owner's leased deployment now, as a health check reads them. */
  escrowOf(owner: string, dseq: string): { balanceUact: string; priceUact: string } | null {
    const deployment = this.accounts.get(owner)?.get(dseq);
    if (!deployment?.lease) return null;
    return {
      balanceUact: String(this.escrowLeft(deployment, this.height())),
      priceUact: String(deployment.lease.priceUact),
    };
  }

  /** What a lease's escrow holds at `height`: every deposit less its price for each block since the lease began. */
  escrowLeft(deployment: SimDeployment, height: number): number {
    const lease = deployment.lease;
    if (!lease) return deployment.depositedUact;
    const until = Math.min(height, lease.closedAtHeight ?? height, deployment.closedAtHeight ?? height);
    return Math.max(0, deployment.depositedUact - lease.priceUact * (until - lease.createdAtHeight));
  }

  private deploymentInfo(deployment: SimDeployment): DeploymentInfo {
    const height = this.height();
    return {
      owner: deployment.owner,
      dseq: deployment.dseq,
      state: deployment.closedAtHeight === null ? "active" : "closed",
      manifestVersion: deployment.manifestVersion,
      createdAtHeight: deployment.createdAtHeight,
      escrow: {
        balanceUact: String(this.escrowLeft(deployment, height)),
        depositedUact: String(deployment.depositedUact),
        settledAtHeight: height,
      },
    };
  }
}
