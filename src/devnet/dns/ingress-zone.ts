import type { IngressNameSource } from "./dns-types.js";

/** Every devnet provider's ingress domain is `<provider name>.devnet.localhost`. */
export const DEVNET_ZONE = "devnet.localhost";

export type ZoneAnswer = { kind: "address"; ip: string } | { kind: "nxdomain" } | { kind: "refused" };

const INGRESS_ADDRESS = "127.0.0.1";

/** Lower case without the root's trailing dot: DNS names compare case-insensitively. */
export function canonicalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

/**
 * The devnet's one authoritative zone: a running lease's ingress name has an address, any other name under
 * `devnet.localhost` does not exist, and names elsewhere are not ours to answer. Providers in `failing`
 * lose their names, which is how a provider's broken wildcard record looks from outside.
 */
export class IngressZone {
  readonly failing = new Set<string>();
  private readonly source: IngressNameSource;

  constructor(source: IngressNameSource) {
    this.source = source;
  }

  lookup(name: string): ZoneAnswer {
    const wanted = canonicalName(name);
    if (wanted !== DEVNET_ZONE && !wanted.endsWith(`.${DEVNET_ZONE}`)) return { kind: "refused" };
    for (const provider of this.source()) {
      if (this.failing.has(provider.address)) continue;
      if (provider.hostnames.some((host) => canonicalName(host) === wanted)) {
        return { kind: "address", ip: INGRESS_ADDRESS };
      }
    }
    return { kind: "nxdomain" };
  }

  hasProvider(address: string): boolean {
    return this.source().some((p) => p.address === address);
  }

  resolvableNames(): number {
    return this.source()
      .filter((p) => !this.failing.has(p.address))
      .reduce((sum, p) => sum + new Set(p.hostnames).size, 0);
  }
}
