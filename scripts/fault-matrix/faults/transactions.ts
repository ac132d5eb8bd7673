import { countOf } from "../../../support/owner-chain-footprint.js";
import type { Fault, RowContext } from "../fault-types.js";
import { deployed, movedAway, untilAlert, untilLease } from "../row-waits.js";

/** Each message of the deploy once on chain: a rejected tx retried must not be signed twice. */
async function onceEach(context: RowContext): Promise<string[]> {
  const footprint = await context.reader.footprint(context.owner);
  const problems: string[] = [];
  const deployments = countOf(footprint, "createDeployment");
  const leases = countOf(footprint, "createLease");
  const moved = context.baseline !== null;
  if (!moved && deployments !== 1) problems.push(`chain: ${deployments} MsgCreateDeployment, expected 1`);
  if (!moved && leases !== 1) problems.push(`chain: ${leases} MsgCreateLease, expected 1`);
  return problems;
}

/** The agent's next tx is refused at CheckTx with a stale sequence (another signer, a lost mempool). */
export const txSequence: Fault = {
  id: "tx-sequence",
  name: "tx rejected: sequence mismatch",
  where: "devnet CheckTx: the agent's next tx refused with code 32 (failNextTx), its first deploy tx",
  policy: "retryable (sdk 32): re-read the sequence and sign again; each message once on chain",
  expect: "deploy",
  phase: "before-start",
  async inject(context) {
    context.devnet.failNextTx({
      address: context.owner,
      stage: "checkTx",
      code: 32,
      log: "account sequence mismatch, expected 1, got 0: incorrect account sequence",
    });
  },
  async clear() {},
  settle: (context) => (context.baseline ? movedAway(context) : deployed(context)),
  check: onceEach,
};

/** The agent's next tx runs out of gas in the block (fee charged, nothing done). */
export const txOutOfGas: Fault = {
  id: "tx-out-of-gas",
  name: "tx rejected: out of gas",
  where:
    "devnet DeliverTx: the agent's next tx fails with code 11 in its block (failNextTx), its first deploy tx",
  policy: "retryable (sdk 11): sign again; each message once on chain",
  expect: "deploy",
  phase: "before-start",
  async inject(context) {
    context.devnet.failNextTx({
      address: context.owner,
      stage: "deliverTx",
      code: 11,
      log: "out of gas in location: WriteFlat; gasWanted: 200000, gasUsed: 200412: out of gas",
    });
  },
  async clear() {},
  settle: (context) => (context.baseline ? movedAway(context) : deployed(context)),
  check: onceEach,
};

/** The agent's next tx is refused for its fee (a node with a higher minimum gas price). */
export const txFee: Fault = {
  id: "tx-fee",
  name: "tx rejected: insufficient fee",
  where: "devnet CheckTx: the agent's next tx refused with code 13 (failNextTx), its first deploy tx",
  policy:
    "fatal (sdk 13, the same fee fails again): give up the step with a critical alert, nothing left open",
  expect: "escalate",
  phase: "before-start",
  async inject(context) {
    context.devnet.failNextTx({
      address: context.owner,
      stage: "checkTx",
      code: 13,
      log: "insufficient fees; got: 5000uakt required: 50000uakt: insufficient fee",
    });
  },
  async clear() {},
  async settle(context) {
    const alert = await untilAlert(context, /./);
    const view = await untilLease(context, "failed").catch(() => context.agent().runtime.lease());
    return { at: alert.createdAt, detail: `${alert.severity} alert "${alert.title}", lease ${view?.state}` };
  },
};
