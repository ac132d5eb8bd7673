/**
 * connect-node (used by chain-sdk's gRPC transport) can raise "received GOAWAY without any open
 * streams" as an uncaught exception when a server or load balancer closes an idle HTTP/2 connection
 * (connectrpc/connect-es#1768, open). The connection is already gone and the next query reconnects,
 * so the process should log it and carry on rather than crash.
 */
export function isIdleGoawayError(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.name === "ConnectError" &&
    error.message.includes("received GOAWAY without any open streams")
  );
}
