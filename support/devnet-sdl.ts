/**
 * A small SDL for devnet tests: one web service priced in uact, placed on providers signed by `auditor`
 * and/or carrying `attributes`.
 */
export function tenantSdl(options: {
  auditor?: string;
  attributes?: Readonly<Record<string, string>>;
  image: string;
  amount?: number;
  env?: readonly string[];
  port?: number;
}): string {
  const env = options.env?.length
    ? `\n    env:\n${options.env.map((e) => `      - ${JSON.stringify(e)}`).join("\n")}`
    : "";
  const signedBy = options.auditor ? `\n      signedBy:\n        anyOf:\n          - ${options.auditor}` : "";
  const attributes = options.attributes
    ? `\n      attributes:\n${Object.entries(options.attributes)
        .map(([k, v]) => `        ${k}: ${v}`)
        .join("\n")}`
    : "";
  return `---
version: "2.0"
services:
  web:
    image: ${options.image}${env}
    expose:
      - port: ${options.port ?? 8080}
        as: 80
        to:
          - global: true
profiles:
  compute:
    web:
      resources:
        cpu:
          units: 0.5
        memory:
          size: 512Mi
        storage:
          size: 1Gi
  placement:
    dcloud:${signedBy}${attributes}
      pricing:
        web:
          denom: uact
          amount: ${options.amount ?? 100}
deployment:
  web:
    dcloud:
      profile: web
      count: 1
`;
}
