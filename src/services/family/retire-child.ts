import type { Logger } from "../../logging/index.js";
import type { AkashChain } from "../akash/akash-service.js";
import type { ChildGrants } from "../akash/child-grants.js";

export interface RetireChildInput {
  /** Idempotency key of the retirement: each step's key derives from it. */
  readonly key: string;
  readonly child: { readonly childId: string; readonly akash: string };
  /** The parent's address: where the child's coins go. */
  readonly parentAkash: string;
  /** The child's chain, signing as the child with its fees on the parent's feegrant. */
  readonly childChain: AkashChain;
  /** The parent's chain (reads the child's own bank balance). */
  readonly parentChain: Pick<AkashChain, "balances">;
  readonly childGrants: ChildGrants;
  readonly logger: Logger;
}

export interface RetireChildOutcome {
  readonly closedDseqs: string[];
  readonly sweptUakt: string;
}

/**
 * Retires a child (DESIGN §13) in the order the chain allows: close its deployments while its fee
 * allowance still pays (their escrow goes back to whoever deposited it: the parent, for grant money),
 * send its own AKT to the parent (fees on the allowance, so all of it), then revoke both grants. Every
 * step goes through the TxExecutor with a key of its own and reads the chain first: a retirement
 * killed half-way and run again does each step once.
 */
export async function retireChildAccount(input: RetireChildInput): Promise<RetireChildOutcome> {
  const { key, child, childChain, logger } = input;
  const log = logger.child({ childId: child.childId });
  const closedDseqs: string[] = [];
  for (const deployment of await childChain.activeDeployments()) {
    log.info({ dseq: deployment.dseq }, "closing the retiring child's deployment");
    await childChain.closeDeployment({ key: `${key}:close:${deployment.dseq}`, dseq: deployment.dseq });
    closedDseqs.push(deployment.dseq);
  }
  const own = await input.parentChain.balances(child.akash);
  let sweptUakt = "0";
  if (BigInt(own.uakt) > 0n) {
    log.info({ uakt: own.uakt }, "sweeping the retiring child's AKT back to the parent");
    await childChain.submit({
      key: `${key}:sweep`,
      messages: [{ type: "send", toAddress: input.parentAkash, amountUakt: own.uakt }],
    });
    sweptUakt = own.uakt;
  }
  if (BigInt(own.uact) > 0n) {
    // ACT cannot be sent; it stays until burned (a child funded by grants holds none of its own).
    log.warn({ uact: own.uact }, "the retiring child holds ACT of its own: left in its account");
  }
  await input.childGrants.revokeChildGrants({ key: `${key}:revoke`, child: child.akash });
  log.info(
    { closed: closedDseqs, sweptUakt },
    "child retired: deployments closed, account swept, grants revoked",
  );
  return { closedDseqs, sweptUakt };
}
