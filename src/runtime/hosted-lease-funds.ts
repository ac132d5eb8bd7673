import type { AgentServices } from "../actors/agent-services.js";
import { createTreasuryActors } from "../actors/treasury-actors.js";
import type { FundsAnswer, FundsRequest } from "../machines/index.js";
import { runPromiseLogic } from "./run-promise-logic.js";

/**
 * Answers a hosted lease's funds request. Called again with the same `requestId` after a restart
 * (the request is kept in the lease's persisted context until answered): it must pay it only once.
 */
export type LeaseFunder = (
  agentId: string,
  request: FundsRequest,
  signal: AbortSignal,
) => Promise<FundsAnswer>;

/**
 * Pays each hosted lease from its own agent's account, as the treasury would without its caps and
 * swaps: an escrow top-up is the treasury's `depositEscrow` effect keyed by the request id (so a
 * repeat finds the deposit on chain instead of paying twice); a deployment's deposit is paid by the
 * deployment transaction itself, so it is granted; hosted leases have no children to fund.
 */
export function fundFromOwnAccount(
  servicesOf: (agentId: string) => AgentServices,
  options: { feeReserveUakt: string },
): LeaseFunder {
  return async (agentId, request, signal) => {
    const services = servicesOf(agentId);
    switch (request.purpose) {
      case "escrow_top_up": {
        const { depositEscrow } = createTreasuryActors(services, options);
        const { at } = await runPromiseLogic(
          depositEscrow,
          { key: request.requestId, dseq: request.dseq, amountUact: request.amountUact },
          signal,
        );
        return { type: "TREASURY.REQUEST_GRANTED", requestId: request.requestId, at };
      }
      case "deployment_deposit":
        return { type: "TREASURY.REQUEST_GRANTED", requestId: request.requestId, at: services.now() };
      case "child_funding":
        return {
          type: "TREASURY.REQUEST_REFUSED",
          requestId: request.requestId,
          reason: "a hosted lease has no child agents to fund",
          cause: "cap",
        };
    }
  };
}
