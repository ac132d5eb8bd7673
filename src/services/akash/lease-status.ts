import { z } from "zod";
import type { LeaseStatus } from "./akash-types.js";

const serviceSchema = z.object({
  name: z.string().optional(),
  total: z.number(),
  available: z.number().optional(),
  ready_replicas: z.number().optional(),
  uris: z.array(z.string()).nullish(),
});

const forwardedPortSchema = z.object({
  host: z.string().optional(),
  port: z.number(),
  externalPort: z.number(),
  proto: z.string(),
  name: z.string().optional(),
});

/** The provider's `GET /lease/{dseq}/{gseq}/{oseq}/status` body (unknown fields ignored). */
const leaseStatusSchema = z.object({
  services: z.record(z.string(), serviceSchema).nullish(),
  forwarded_ports: z.record(z.string(), z.array(forwardedPortSchema)).nullish(),
});

/** Parses a lease status body; undefined when it is not one. */
export function parseLeaseStatus(body: string): LeaseStatus | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = leaseStatusSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const services = Object.entries(parsed.data.services ?? {}).map(([name, s]) => ({
    name: s.name ?? name,
    total: s.total,
    ready: s.ready_replicas ?? s.available ?? 0,
    uris: s.uris ?? [],
  }));
  const forwardedPorts = Object.entries(parsed.data.forwarded_ports ?? {}).flatMap(([service, ports]) =>
    ports.map((p) => ({
      service,
      host: p.host ?? "",
      port: p.port,
      externalPort: p.externalPort,
      proto: p.proto,
    })),
  );
  return { services, forwardedPorts };
}
