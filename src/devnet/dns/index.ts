export { dnsControlRoutes } from "./dns-control-routes.js";
export { type DnsDevnet, startDnsDevnet } from "./dns-devnet.js";
export type {
  DnsDevnetControl,
  DnsDevnetStatus,
  IngressNameSource,
  ProviderIngressNames,
} from "./dns-types.js";
export { DEVNET_ZONE } from "./ingress-zone.js";
