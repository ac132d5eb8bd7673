/** A loopback host (a devnet provider's process): served without TLS. */
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/i;

/**
 * The WebSocket URI of the relay a lease serves, from the lease's first service URI: `http(s)://` becomes
 * `ws(s)://`, a bare host (as providers list ingress names) becomes `wss://host`, a bare loopback
 * `host:port` (the devnet's processes) `ws://host:port`. Null when there is none.
 */
export function relayUriOf(uris: readonly string[]): string | null {
  const first = uris.find((uri) => uri.trim().length > 0)?.trim();
  if (first === undefined) return null;
  if (/^wss?:\/\//i.test(first)) return first;
  if (/^https?:\/\//i.test(first)) return first.replace(/^http/i, "ws");
  return LOOPBACK.test(first) ? `ws://${first}` : `wss://${first}`;
}
