import { isIP } from "node:net";

/**
 * The DNS name a service URI points at, or null when there is nothing to resolve: an IP literal, or
 * `localhost` (which resolvers answer themselves). Lease status URIs come bare (`<hash>.ingress.<domain>`),
 * with a port (`host:31000`) or as URLs; names come back lower case, without a trailing dot.
 */
export function ingressHostOf(uri: string): string | null {
  const text = uri.trim();
  if (text === "") return null;
  let host: string;
  try {
    host = new URL(text.includes("://") ? text : `http://${text}`).hostname;
  } catch {
    return null;
  }
  const name = host
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "");
  if (name === "" || isIP(name) !== 0 || name === "localhost") return null;
  return name;
}

/** The distinct names among the URIs, in first-seen order. */
export function ingressHostsOf(uris: readonly string[]): string[] {
  const hosts = uris.map(ingressHostOf).filter((host): host is string => host !== null);
  return [...new Set(hosts)];
}
