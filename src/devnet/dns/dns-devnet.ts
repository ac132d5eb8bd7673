import { DnsServer } from "./dns-server.js";
import type { DnsDevnetControl, IngressNameSource } from "./dns-types.js";
import { IngressZone } from "./ingress-zone.js";

export interface DnsDevnet {
  /** `127.0.0.1:<port>`: the `dns` endpoint. */
  readonly server: string;
  readonly control: DnsDevnetControl;
  stop(): Promise<void>;
}

/** Starts the devnet's DNS server for the providers' ingress names. */
export async function startDnsDevnet(input: { names: IngressNameSource; port?: number }): Promise<DnsDevnet> {
  const zone = new IngressZone(input.names);
  const dns = new DnsServer(zone);
  const server = await dns.start(input.port);
  const control: DnsDevnetControl = {
    failProvider(address) {
      if (!zone.hasProvider(address)) throw new RangeError(`unknown provider ${address}`);
      zone.failing.add(address);
    },
    clearFaults(address) {
      if (address === undefined) zone.failing.clear();
      else zone.failing.delete(address);
    },
    status: () => ({
      server,
      failingProviders: [...zone.failing],
      resolvableNames: zone.resolvableNames(),
    }),
  };
  return { server, control, stop: () => dns.stop() };
}
