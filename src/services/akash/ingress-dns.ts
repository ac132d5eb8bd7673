import { promises as dns } from "node:dns";
import { ingressHostsOf } from "./ingress-hosts.js";

/** Answers that say the name has no address: the provider's DNS is broken, not our network. */
const DEFINITE_MISSES = new Set<string>([dns.NOTFOUND, dns.NODATA]);

export interface IngressResolver {
  /**
   * The hostnames of `uris` that definitely do not resolve (NXDOMAIN, or no A and no AAAA record), or
   * null when no URI names a host to look up. A timeout, SERVFAIL or refused query says nothing about
   * the provider and does not count.
   */
  unresolved(uris: readonly string[]): Promise<string[] | null>;
}

export interface IngressResolverOptions {
  /** DNS servers (`ip` or `ip:port`); omitted: the system's (resolv.conf). */
  readonly servers?: readonly string[];
  /** Per query, in ms. */
  readonly timeoutMs: number;
}

const errorCode = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;

/** Looks the services' ingress names up with node's resolver (c-ares: DNS itself, not /etc/hosts). */
export function createIngressResolver(options: IngressResolverOptions): IngressResolver {
  const resolver = new dns.Resolver({ timeout: options.timeoutMs, tries: 1 });
  if (options.servers && options.servers.length > 0) resolver.setServers([...options.servers]);

  /** Whether the name definitely has no address; an inconclusive answer is not a miss. */
  const missing = async (host: string): Promise<boolean> => {
    try {
      await resolver.resolve4(host);
      return false;
    } catch (error) {
      const code = errorCode(error);
      if (code === dns.NOTFOUND) return true;
      if (code !== dns.NODATA) return false;
    }
    // The name exists without an A record: an IPv6-only ingress is still reachable.
    try {
      await resolver.resolve6(host);
      return false;
    } catch (error) {
      return DEFINITE_MISSES.has(errorCode(error) ?? "");
    }
  };

  return {
    async unresolved(uris) {
      const hosts = ingressHostsOf(uris);
      if (hosts.length === 0) return null;
      const misses = await Promise.all(hosts.map(missing));
      return hosts.filter((_, index) => misses[index]);
    },
  };
}
