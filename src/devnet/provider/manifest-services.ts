import { z } from "zod";

const exposeSchema = z.object({
  port: z.number().int(),
  externalPort: z.number().int().optional().default(0),
  proto: z.string().optional().default("TCP"),
  global: z.boolean().optional().default(false),
  service: z.string().optional().default(""),
});

const serviceSchema = z.object({
  name: z.string().min(1),
  image: z.string().min(1),
  command: z.array(z.string()).nullable().optional(),
  args: z.array(z.string()).nullable().optional(),
  env: z.array(z.string()).nullable().optional(),
  count: z.number().int().min(0),
  expose: z.array(exposeSchema).nullable().optional(),
});

const groupSchema = z.object({ name: z.string().min(1), services: z.array(serviceSchema) });

/** The manifest a tenant PUTs: a JSON array of groups (only the fields a provider acts on are typed). */
export const manifestSchema = z.array(groupSchema).min(1);

export type ManifestGroup = z.infer<typeof groupSchema>;
export type ManifestService = z.infer<typeof serviceSchema>;
export type ManifestExpose = z.infer<typeof exposeSchema>;

/** Manifest env entries are "KEY=VALUE" strings. */
export function envEntries(service: ManifestService): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of service.env ?? []) {
    const eq = entry.indexOf("=");
    if (eq > 0) out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}
