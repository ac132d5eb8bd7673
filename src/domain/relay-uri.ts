/**
 * The WebSocket URI of the relay a lease serves, from the lease's first service URI: `http(s)://` becomes
 * `ws(s)://`, a bare host (as providers list ingress names) becomes `wss://host`. Null when there is none.
 */
export function relayUriOf(uris: readonly string[]): string | null {
  const first = uris.find((uri) => uri.trim().length > 0)?.trim();
  if (first === undefined) return null;
  if (/^wss?:\/\//i.test(first)) return first;
  if (/^https?:\/\//i.test(first)) return first.replace(/^http/i, "ws");
  return `wss://${first}`;
}
