import type { Fault, RowContext } from "../fault-types.js";
import { deployed, rideOut } from "../row-waits.js";

/** How long an outage of the node lasts: about ten health checks at 300 ms. */
const OUTAGE_MS = 4_000;

const clearNode = async (context: RowContext) => context.devnet.clearRpcFaults();

const outagePolicy =
  "network_partition: no verdict on stale reads, reconnect with backoff; critical alert after 10 failed checks; lease kept";

/** The Akash node's RPC answers 503 to every call for a while, the lease running. */
export const akashRpcDown: Fault = {
  id: "akash-rpc-down",
  name: "Akash RPC down",
  where: `devnet RPC: every call 503 for ${OUTAGE_MS / 1000} s (injectRpcFault rpc error)`,
  policy: outagePolicy,
  expect: "ride-out",
  phase: "while-active",
  async inject(context) {
    context.devnet.injectRpcFault({ target: "rpc", kind: "error" });
  },
  clear: clearNode,
  settle: (context) => rideOut(context, OUTAGE_MS, clearNode),
};

/** The node's gRPC answers UNAVAILABLE for a while, the lease running. */
export const akashGrpcDown: Fault = {
  id: "akash-grpc-down",
  name: "Akash gRPC down",
  where: `devnet gRPC: every call UNAVAILABLE for ${OUTAGE_MS / 1000} s (injectRpcFault grpc error)`,
  policy: outagePolicy,
  expect: "ride-out",
  phase: "while-active",
  async inject(context) {
    context.devnet.injectRpcFault({ target: "grpc", kind: "error" });
  },
  clear: clearNode,
  settle: (context) => rideOut(context, OUTAGE_MS, clearNode),
};

/** Both node endpoints fail their next calls while the agent deploys. */
export const akashNodeErrors: Fault = {
  id: "akash-node-errors",
  name: "Akash RPC/gRPC returning errors",
  where: "devnet RPC and gRPC: the next 6 calls fail (injectRpcFault all error count 6), before the deploy",
  policy: "retryable: the step is retried with capped backoff (intervals.stepRetries), deploy goes on",
  expect: "deploy",
  phase: "before-start",
  knownLimit:
    'the agent does not start while its node answers errors: connecting fails at once ("cannot reach the Akash RPC … check the rpc endpoint"), the process exits 1 and its supervisor (the provider, a guardian, systemd) starts it again; errors met after the start are retried (see the pair with provider-offline)',
  async inject(context) {
    context.devnet.injectRpcFault({ target: "all", kind: "error", count: 6 });
  },
  clear: clearNode,
  settle: deployed,
};

/** The node answers, but slowly (3 s a call) while the lease runs. */
export const akashNodeSlow: Fault = {
  id: "akash-node-slow",
  name: "Akash RPC/gRPC slow",
  where: `devnet RPC and gRPC: every call delayed 3 s for ${OUTAGE_MS / 1000} s (injectRpcFault all delay)`,
  policy: "retryable timeouts: no verdict on the lease, reads retried; lease kept",
  expect: "ride-out",
  phase: "while-active",
  async inject(context) {
    context.devnet.injectRpcFault({ target: "all", kind: "delay", delayMs: 3_000 });
  },
  clear: clearNode,
  settle: (context) => rideOut(context, OUTAGE_MS, clearNode),
};
