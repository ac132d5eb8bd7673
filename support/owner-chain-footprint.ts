import { createChainNodeSDK, createStargateClient } from "@akashnetwork/chain-sdk";
import { MsgAccountDeposit, MsgMintACT } from "@akashnetwork/chain-sdk/private-types/akash.v1";
import {
  MsgCloseDeployment,
  MsgCreateDeployment,
  MsgStartGroup,
} from "@akashnetwork/chain-sdk/private-types/akash.v1beta4";
import { MsgCloseLease, MsgCreateLease } from "@akashnetwork/chain-sdk/private-types/akash.v1beta5";
import { DirectSecp256k1HdWallet, decodeTxRaw } from "@cosmjs/proto-signing";
import { StargateClient } from "@cosmjs/stargate";

/** Type URLs of the messages an agent signs. */
export const MSG = {
  mint: `/${MsgMintACT.$type}`,
  createDeployment: `/${MsgCreateDeployment.$type}`,
  closeDeployment: `/${MsgCloseDeployment.$type}`,
  createLease: `/${MsgCreateLease.$type}`,
  closeLease: `/${MsgCloseLease.$type}`,
  deposit: `/${MsgAccountDeposit.$type}`,
  startGroup: `/${MsgStartGroup.$type}`,
} as const;

export type MessageKind = keyof typeof MSG;
export const messageKinds = Object.keys(MSG) as MessageKind[];

/** One message of a successful transaction the owner signed, as a block holds it. */
export interface OwnerMessage {
  readonly kind: MessageKind | "other";
  readonly typeUrl: string;
  readonly height: number;
  readonly txHash: string;
  /** What it moves: uakt burnt (mint), uact deposited (create deployment, deposit); else null. */
  readonly amount: bigint | null;
  /** The deployment it names (deployment and lease messages, deposits). */
  readonly dseq: string | null;
}

export interface ActiveLease {
  readonly dseq: string;
  readonly gseq: number;
  readonly oseq: number;
  readonly provider: string;
}

/** What the chain holds of one owner: open deployments and leases, and every message it signed. */
export interface OwnerFootprint {
  readonly owner: string;
  readonly activeDeployments: string[];
  readonly activeLeases: ActiveLease[];
  readonly messages: OwnerMessage[];
}

const DEPLOYMENT_ACTIVE = 1;
const LEASE_ACTIVE = 1;

export function countOf(footprint: OwnerFootprint, kind: MessageKind): number {
  return footprint.messages.filter((message) => message.kind === kind).length;
}

export function amountOf(footprint: OwnerFootprint, kind: MessageKind): bigint {
  return footprint.messages
    .filter((message) => message.kind === kind)
    .reduce((sum, message) => sum + (message.amount ?? 0n), 0n);
}

function decodeMessage(typeUrl: string, value: Uint8Array): Pick<OwnerMessage, "kind" | "amount" | "dseq"> {
  switch (typeUrl) {
    case MSG.mint: {
      const message = MsgMintACT.decode(value);
      return { kind: "mint", amount: BigInt(message.coinsToBurn?.amount ?? "0"), dseq: null };
    }
    case MSG.createDeployment: {
      const message = MsgCreateDeployment.decode(value);
      return {
        kind: "createDeployment",
        amount: BigInt(message.deposit?.amount?.amount ?? "0"),
        dseq: String(message.id?.dseq ?? ""),
      };
    }
    case MSG.closeDeployment:
      return {
        kind: "closeDeployment",
        amount: null,
        dseq: String(MsgCloseDeployment.decode(value).id?.dseq ?? ""),
      };
    case MSG.createLease:
      return {
        kind: "createLease",
        amount: null,
        dseq: String(MsgCreateLease.decode(value).bidId?.dseq ?? ""),
      };
    case MSG.closeLease:
      return { kind: "closeLease", amount: null, dseq: String(MsgCloseLease.decode(value).id?.dseq ?? "") };
    case MSG.deposit: {
      const message = MsgAccountDeposit.decode(value);
      return {
        kind: "deposit",
        amount: BigInt(message.deposit?.amount?.amount ?? "0"),
        dseq: message.id?.xid.split("/")[1] ?? null,
      };
    }
    case MSG.startGroup:
      return { kind: "startGroup", amount: null, dseq: String(MsgStartGroup.decode(value).id?.dseq ?? "") };
    default:
      return { kind: "other", amount: null, dseq: null };
  }
}

/**
 * Reads an owner's footprint with chain-sdk's query client and cosmjs's tx search (the clients a
 * tenant would use; none of the agent's code), so tests judge the agent by what the chain holds.
 */
export class OwnerChainReader {
  private constructor(
    private readonly endpoints: { rpc: string; grpc: string },
    private readonly sdk: ReturnType<typeof createChainNodeSDK>,
    private readonly search: StargateClient,
  ) {}

  static async connect(endpoints: { rpc: string; grpc: string }): Promise<OwnerChainReader> {
    const sdk = createChainNodeSDK({ query: { baseUrl: endpoints.grpc } });
    return new OwnerChainReader(endpoints, sdk, await StargateClient.connect(endpoints.rpc));
  }

  async footprint(owner: string): Promise<OwnerFootprint> {
    const [deployments, leases, txs] = await Promise.all([
      this.sdk.akash.deployment.v1beta4.getDeployments({ filters: { owner, state: "", dseq: 0n } }),
      this.sdk.akash.market.v1beta5.getLeases({ filters: { owner, state: "" } }),
      this.search.searchTx(`message.sender='${owner}'`),
    ]);
    const messages: OwnerMessage[] = [];
    for (const tx of txs) {
      if (tx.code !== 0) continue;
      for (const message of decodeTxRaw(tx.tx).body.messages) {
        messages.push({
          typeUrl: message.typeUrl,
          height: tx.height,
          txHash: tx.hash,
          ...decodeMessage(message.typeUrl, message.value),
        });
      }
    }
    messages.sort((a, b) => a.height - b.height);
    return {
      owner,
      activeDeployments: deployments.deployments
        .filter((entry) => Number(entry.deployment?.state) === DEPLOYMENT_ACTIVE)
        .map((entry) => String(entry.deployment?.id?.dseq ?? "")),
      activeLeases: leases.leases
        .filter((entry) => Number(entry.lease?.state) === LEASE_ACTIVE)
        .map((entry) => ({
          dseq: String(entry.lease?.id?.dseq ?? ""),
          gseq: Number(entry.lease?.id?.gseq ?? 0),
          oseq: Number(entry.lease?.id?.oseq ?? 0),
          provider: entry.lease?.id?.provider ?? "",
        })),
      messages,
    };
  }

  /**
   * Closes every open deployment of the owner of `mnemonic` (as the owner, with chain-sdk), so that a
   * finished test leaves the providers' capacity free. Call it only when no agent process runs for it.
   */
  async closeAll(mnemonic: string): Promise<string[]> {
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "akash" });
    const [account] = await wallet.getAccounts();
    const owner = account!.address;
    const { activeDeployments } = await this.footprint(owner);
    if (activeDeployments.length === 0) return [];
    const tx = createStargateClient({
      baseUrl: this.endpoints.rpc,
      signer: wallet,
      stargateOptions: { broadcastPollIntervalMs: 50, broadcastTimeoutMs: 20_000 },
    });
    const sdk = createChainNodeSDK({ query: { baseUrl: this.endpoints.grpc }, tx: { signer: tx } });
    try {
      for (const dseq of activeDeployments) {
        await sdk.akash.deployment.v1beta4.closeDeployment({ id: { owner, dseq } });
      }
    } finally {
      await tx.disconnect();
    }
    return activeDeployments;
  }

  disconnect(): void {
    this.search.disconnect();
  }
}
