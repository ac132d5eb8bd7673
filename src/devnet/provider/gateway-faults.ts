/**
 * Gateway faults beyond slow and failing: a provider that refuses every manifest (its cluster will
 * not run the deployment: what a provider answers when kube refuses it, e.g. out of capacity after the
 * bid), and one that answers garbage (HTTP 200 with a body that is not what the route promises: a
 * broken proxy, a provider build of another API version).
 */
export type GatewayFault = { mode: "refusing-manifest" } | { mode: "garbage" };

/** The routes a gateway fault touches. */
export type FaultableRoute = "status" | "manifest-put" | "lease-status" | "service-status";

export interface FaultAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

const GARBAGE: Record<FaultableRoute, FaultAnswer> = {
  // Not JSON at all.
  status: { status: 200, contentType: "application/json", body: "<html><body>502 upstream</body></html>" },
  // Answered as accepted, with a body no provider sends (the workload is not started).
  "manifest-put": { status: 200, contentType: "application/json", body: '{"ok":' },
  // JSON of the wrong shape: services a number, ports a string.
  "lease-status": {
    status: 200,
    contentType: "application/json",
    body: JSON.stringify({ services: 42, forwarded_ports: "none", ips: null }),
  },
  "service-status": { status: 200, contentType: "application/json", body: "[1,2,3" },
};

const REFUSED: FaultAnswer = {
  status: 500,
  contentType: "text/plain; charset=utf-8",
  body: "kube: unable to deploy the manifest: devnet fault (the provider refuses every manifest)\n",
};

/** What a gateway under `fault` answers on `route`, or null when it serves the route as usual. */
export function gatewayFaultAnswer(fault: { mode: string }, route: FaultableRoute): FaultAnswer | null {
  if (fault.mode === "garbage") return GARBAGE[route];
  if (fault.mode === "refusing-manifest" && route === "manifest-put") return REFUSED;
  return null;
}
