import type { Logger } from "../../logging/index.js";
import type { AkashChain } from "../akash/akash-service.js";
import type { ChildGrants } from "../akash/child-grants.js";
import { type CronosLegDeps, sweepCro } from "../cronos/index.js";

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
  /**
   * The child's CRO, when the family has a Cronos leg: the child's own Cronos client (in `deps`,
   * over the parent's store) and the parent's Cronos address it goes back to.
   */
  readonly cro?: { readonly deps: CronosLegDeps; readonly parentCronos: string };
}

export interface RetireChildOutcome {
  readonly closedDseqs: string[];
  readonly sweptUakt: string;
  /** CRO sent back to the parent's Cronos address, wei ("0" without a Cronos leg or CRO). */
  readonly sweptCroWei: string;
}

/**
 * Retires a child (DESIGN §13) in the order the chain allows: close its deployments while its fee
 * allowance still pays (their escrow goes back to whoever deposited it: the parent, for grant money),
 * send its own AKT to the parent (fees on the allowance, so all of it), revoke both grants, then send
 * its CRO back to the parent's Cronos address (all but the transfer's fee). Every
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
  // After the revocation, so a Cronos outage never keeps the grants open.
  let sweptCroWei = "0";
  if (input.cro) {
    const swept = await sweepCro(
      { key: `${key}:cro-sweep`, purpose: "child_cro_sweep", to: input.cro.parentCronos },
      input.cro.deps,
    );
    sweptCroWei = swept.sweptWei.toString();
    if (swept.tx)
      log.info({ wei: sweptCroWei, txHash: swept.tx.hash }, "the retiring child's CRO swept back");
  }
  log.info(
    { closed: closedDseqs, sweptUakt, sweptCroWei },
    "child retired: deployments closed, account swept, grants revoked",
  );
  return { closedDseqs, sweptUakt, sweptCroWei };
}
