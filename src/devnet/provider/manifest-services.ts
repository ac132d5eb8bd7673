import { z } from "zod";

const exposeSchema = z.object({
  port: z.number().int(),
  externalPort: z.number().int().optional().default(0),
  proto: z.string().optional().default("TCP"),
  global: z.boolean().optional().default(false),
  service: z.string().optional().default(""),
});

const attributeSchema = z.object({ key: z.string(), value: z.string() });

/** A volume of the service's compute profile: `persistent=true` among its attributes makes it a provider volume. */
const storageResourceSchema = z.object({
  name: z.string().min(1),
  attributes: z.array(attributeSchema).nullable().optional(),
});

/** Where a named volume is mounted in the service's container (the SDL's `params.storage`). */
const storageMountSchema = z.object({
  name: z.string().min(1),
  mount: z.string().min(1),
  readOnly: z.boolean().optional(),
});

const serviceSchema = z.object({
  name: z.string().min(1),
  image: z.string().min(1),
  command: z.array(z.string()).nullable().optional(),
  args: z.array(z.string()).nullable().optional(),
  env: z.array(z.string()).nullable().optional(),
  count: z.number().int().min(0),
  expose: z.array(exposeSchema).nullable().optional(),
  params: z
    .object({ storage: z.array(storageMountSchema).nullable().optional() })
    .nullable()
    .optional(),
  resources: z.object({ storage: z.array(storageResourceSchema).nullable().optional() }).optional(),
});

const groupSchema = z.object({ name: z.string().min(1), services: z.array(serviceSchema) });

/** The manifest a tenant PUTs: a JSON array of groups (only the fields a provider acts on are typed). */
export const manifestSchema = z.array(groupSchema).min(1);

export type ManifestGroup = z.infer<typeof groupSchema>;
export type ManifestService = z.infer<typeof serviceSchema>;
export type ManifestExpose = z.infer<typeof exposeSchema>;

export interface PersistentMount {
  readonly volume: string;
  readonly mount: string;
}

/** The service's persistent volumes and where it mounts them (what a provider backs with lasting storage). */
export function persistentMounts(service: ManifestService): PersistentMount[] {
  const persistent = new Set(
    (service.resources?.storage ?? [])
      .filter((volume) => volume.attributes?.some((a) => a.key === "persistent" && a.value === "true"))
      .map((volume) => volume.name),
  );
  return (service.params?.storage ?? [])
    .filter((entry) => persistent.has(entry.name))
    .map((entry) => ({ volume: entry.name, mount: entry.mount }));
}

/** Manifest env entries are "KEY=VALUE" strings. */
export function envEntries(service: ManifestService): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of service.env ?? []) {
    const eq = entry.indexOf("=");
    if (eq > 0) out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}
