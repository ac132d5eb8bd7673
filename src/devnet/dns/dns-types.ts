/** The ingress names one provider serves now (its running leases' services). */
export interface ProviderIngressNames {
  readonly address: string;
  readonly hostnames: readonly string[];
}

/** Where the DNS server learns which names exist: asked at every query, so it follows leases as they come and go. */
export type IngressNameSource = () => readonly ProviderIngressNames[];

/** What the devnet handle offers for its DNS server (also served by the control API). */
export interface DnsDevnetControl {
  /** The provider's ingress names answer NXDOMAIN (as if its wildcard record were gone) until cleared. */
  failProvider(address: string): void;
  /** Ends the fault for one provider, or for all when none is named. */
  clearFaults(address?: string): void;
  status(): DnsDevnetStatus;
}

export interface DnsDevnetStatus {
  /** `127.0.0.1:<port>` (UDP). */
  readonly server: string;
  readonly failingProviders: readonly string[];
  /** Ingress names answered with an address right now. */
  readonly resolvableNames: number;
}
