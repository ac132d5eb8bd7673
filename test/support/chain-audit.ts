import { createChainNodeSDK } from "@akashnetwork/chain-sdk";
import type { DevnetHandle } from "../../src/devnet/index.js";

/**
 * What the chain says about an owner, read with chain-sdk directly (none of the agent's code), so
 * tests check the agent's effects independently of the agent.
 */
export interface ChainAudit {
  deployments(
    owner: string,
  ): Promise<
    Array<{ dseq: string; state: number; escrowBalance: string; deposited: string; depositors: string[] }>
  >;
  leases(owner: string): Promise<Array<{ dseq: string; provider: string; state: number; oseq: number }>>;
  close(): void;
}

/** Deployment state 1 = active, 2 = closed; lease state 1 = active, 2 = insufficient funds, 3 = closed, 4 = reclaiming. */
export const DEPLOYMENT_ACTIVE = 1;
export const LEASE_ACTIVE = 1;

/** chain-sdk gives DecCoin amounts as decimal strings ("14999806.24"); whole uact are enough here. */
function wholeUnits(amount: string | undefined): bigint {
  if (!amount) return 0n;
  return BigInt(amount.split(".")[0] ?? "0");
}

export function chainAudit(devnet: Pick<DevnetHandle, "grpc">): ChainAudit {
  const sdk = createChainNodeSDK({ query: { baseUrl: devnet.grpc } });
  return {
    async deployments(owner) {
      const answer = await sdk.akash.deployment.v1beta4.getDeployments({
        filters: { owner, state: "", dseq: 0n },
      });
      return answer.deployments.map((entry) => ({
        dseq: String(entry.deployment?.id?.dseq ?? ""),
        state: Number(entry.deployment?.state ?? 0),
        escrowBalance: wholeUnits(entry.escrowAccount?.state?.funds?.[0]?.amount).toString(),
        deposited: (entry.escrowAccount?.state?.deposits ?? [])
          .reduce((sum, deposit) => sum + wholeUnits(deposit.balance?.amount), 0n)
          .toString(),
        // Who paid each deposit still held: the owner for its own balance, the granter for grant money.
        depositors: [
          ...new Set((entry.escrowAccount?.state?.deposits ?? []).map((deposit) => deposit.owner)),
        ],
      }));
    },
    async leases(owner) {
      const answer = await sdk.akash.market.v1beta5.getLeases({ filters: { owner, state: "" } });
      return answer.leases.map((entry) => ({
        dseq: String(entry.lease?.id?.dseq ?? ""),
        provider: entry.lease?.id?.provider ?? "",
        state: Number(entry.lease?.state ?? 0),
        oseq: Number(entry.lease?.id?.oseq ?? 0),
      }));
    },
    close() {},
  };
}
