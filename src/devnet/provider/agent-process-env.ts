import { imageTag } from "../../domain/index.js";
import { type HostVolume, rewriteMountedPaths } from "./lease-volumes.js";
import type { LeaseRef } from "./workload-runner.js";

/** What an agent process inherits from the devnet's own environment (nothing else of it). */
const INHERITED_ENV = ["PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "SYSTEMROOT"];

export interface AgentProcessEnvInput {
  readonly lease: LeaseRef;
  /** The manifest service's image; its tag (`latest` when none) becomes AGENT_IMAGE_TAG. */
  readonly image: string;
  readonly providerHost: string;
  /** The devnet's environment, of which only INHERITED_ENV passes. */
  readonly hostEnv: NodeJS.ProcessEnv;
  /** The devnet's extra environment for agent processes (`agentEnv`), like an image's baked-in ENV. */
  readonly agentEnv: Readonly<Record<string, string>>;
  /** The manifest's env for the service. */
  readonly manifestEnv: Readonly<Record<string, string>>;
  readonly volumes: readonly HostVolume[];
  /** Host port of the service's HTTP endpoint (PORT, AGENT_HTTP_PORT), when it exposes one. */
  readonly httpPort: number | undefined;
  /** Container port → host port of every global expose (AKASH_DEVNET_PORT_<port>). */
  readonly hostPorts: readonly { readonly port: number; readonly hostPort: number }[];
}

/**
 * The environment of one agent process, lowest precedence first: the inherited basics, `agentEnv`
 * (as an image's ENV), the manifest's env (as a container's, mount paths rewritten to the host
 * volumes), then what the provider decides and nobody overrides: the AKASH_* lease facts, the tag of
 * the image it runs as (AGENT_IMAGE_TAG) and the ports and host the process must listen on.
 */
export function agentProcessEnv(input: AgentProcessEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of INHERITED_ENV) {
    const value = input.hostEnv[key];
    if (value !== undefined) env[key] = value;
  }
  const { lease } = input;
  Object.assign(env, input.agentEnv, rewriteMountedPaths(input.manifestEnv, input.volumes), {
    AKASH_OWNER: lease.owner,
    AKASH_PROVIDER: lease.provider,
    AKASH_DEPLOYMENT_SEQUENCE: lease.dseq.toString(),
    AKASH_GROUP_SEQUENCE: String(lease.gseq),
    AKASH_ORDER_SEQUENCE: String(lease.oseq),
    AKASH_CLUSTER_PUBLIC_HOSTNAME: input.providerHost,
    // Every tag of the agent's repository runs the same entry point: this says which one it is.
    AGENT_IMAGE_TAG: imageTag(input.image),
    // Loopback: the provider's forwarded port is the only way in, as a container's would be.
    AGENT_HTTP_HOST: "127.0.0.1",
  });
  if (input.httpPort !== undefined) {
    env.PORT = String(input.httpPort);
    env.AGENT_HTTP_PORT = String(input.httpPort);
  }
  for (const { port, hostPort } of input.hostPorts) env[`AKASH_DEVNET_PORT_${port}`] = String(hostPort);
  return env;
}
