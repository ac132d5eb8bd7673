import { z } from "zod";
import { AkashEndpointError } from "./akash-errors.js";

/** Where the Akash network is reached: CometBFT RPC for txs, gRPC for queries, the Console API for reputation. */
export interface AkashEndpoints {
  readonly chainId: string;
  readonly rpc: string;
  readonly grpc: string;
  readonly consoleApi: string;
  /** RPC endpoints tried in order when `rpc` cannot be reached (network partition). */
  readonly rpcFallbacks?: readonly string[];
  /** gRPC endpoints tried in order when `grpc` cannot be reached. */
  readonly grpcFallbacks?: readonly string[];
}

const devnetEndpointsSchema = z.object({
  chainId: z.string().min(1),
  rpc: z.url(),
  grpc: z.url(),
  faucet: z.url(),
  control: z.url(),
  consoleApi: z.url(),
  blockTimeMs: z.number().int().positive(),
  /** Accounts that sign provider attributes on the devnet (older devnets do not list them). */
  auditors: z.array(z.string()).default([]),
  /** The devnet's DNS server for ingress names, `<IPv4>:<port>` as resolvers take it (older devnets have none). */
  dns: z
    .string()
    .regex(/^(\d{1,3}\.){3}\d{1,3}:\d{1,5}$/)
    .optional(),
  providers: z.array(
    z.object({ address: z.string(), hostUri: z.string(), region: z.string(), audited: z.boolean() }),
  ),
  /** The Cronos stand-in (absent when the devnet runs without it). */
  cronos: z
    .object({
      rpc: z.url(),
      chainId: z.number().int().positive(),
      router: z.string(),
      wcro: z.string(),
      akt: z.string(),
    })
    .optional(),
});

/** What a running `akash-agent devnet` serves at `GET {control}/endpoints`. */
export type ResolvedDevnetEndpoints = z.infer<typeof devnetEndpointsSchema>;

/** The Akash endpoints of an in-process devnet (the handle `startDevnet()` returns). */
export function endpointsFromDevnet(devnet: AkashEndpoints): AkashEndpoints {
  return { chainId: devnet.chainId, rpc: devnet.rpc, grpc: devnet.grpc, consoleApi: devnet.consoleApi };
}

/** Asks a running `akash-agent devnet` for its endpoints (`--devnet-url` is its control URL). */
export async function resolveDevnetEndpoints(
  controlUrl: string,
  options: { timeoutMs?: number } = {},
): Promise<ResolvedDevnetEndpoints> {
  let url: URL;
  try {
    url = new URL("endpoints", controlUrl.endsWith("/") ? controlUrl : `${controlUrl}/`);
  } catch {
    throw new AkashEndpointError(
      `devnet control URL "${controlUrl}" is not a URL; pass the "control" URL that \`akash-agent devnet --json\` prints`,
    );
  }
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 5_000) });
  } catch (error) {
    const reason =
      error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : "";
    throw new AkashEndpointError(
      `cannot reach the devnet control API at ${url.href} (${reason}); start one with \`akash-agent devnet\` or fix --devnet-url`,
      { cause: error },
    );
  }
  if (!response.ok) {
    throw new AkashEndpointError(
      `the devnet control API at ${url.href} answered HTTP ${response.status}; is ${controlUrl} the "control" URL of \`akash-agent devnet\`?`,
    );
  }
  const parsed = devnetEndpointsSchema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) {
    throw new AkashEndpointError(
      `the devnet control API at ${url.href} did not answer with devnet endpoints; is ${controlUrl} the "control" URL of \`akash-agent devnet\`?`,
    );
  }
  return parsed.data;
}
