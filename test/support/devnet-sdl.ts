/** A small SDL for devnet tests: one web service priced in uact, placed on providers signed by `auditor`. */
export function tenantSdl(options: {
  auditor: string;
  image: string;
  amount?: number;
  env?: readonly string[];
}): string {
  const env = options.env?.length
    ? `\n    env:\n${options.env.map((e) => `      - ${JSON.stringify(e)}`).join("\n")}`
    : "";
  return `---
version: "2.0"
services:
  web:
    image: ${options.image}${env}
    expose:
      - port: 8080
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
    dcloud:
      signedBy:
        anyOf:
          - ${options.auditor}
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
