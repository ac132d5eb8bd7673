import type { Fault } from "../fault-types.js";
import { movedAway } from "../row-waits.js";

/** The deployment's escrow emptied: the chain closes the lease and the deployment at the next block. */
export const escrowDrained: Fault = {
  id: "escrow-drained",
  name: "escrow drained",
  where: "devnet escrow: the deployment's escrow account emptied (drainEscrow)",
  policy: 'lease_expired with the deployment closed: deploy anew (critical alert "Deployment closed")',
  expect: "move",
  phase: "while-active",
  async inject(context) {
    const dseq = context.baseline?.dseq;
    if (!dseq) throw new Error("no deployment to drain");
    await context.devnet.drainEscrow(context.owner, dseq);
  },
  async clear() {},
  settle: movedAway,
};
