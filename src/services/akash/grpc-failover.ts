import { type ChainNodeSDK, createChainNodeSDK, SDKError, SDKErrorCode } from "@akashnetwork/chain-sdk";
import { EffectError } from "../../domain/effect-failure.js";
import { EndpointFailover, type HeightWatermark } from "./endpoint-failover.js";

const NETWORK_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** Whether a gRPC query failed to reach its node (unavailable, timed out, refused), not an answer. */
export function isGrpcUnreachable(error: unknown): boolean {
  if (error instanceof SDKError) {
    return error.code === SDKErrorCode.Unavailable || error.code === SDKErrorCode.DeadlineExceeded;
  }
  for (let cause: unknown = error; cause; cause = (cause as { cause?: unknown }).cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_ERROR_CODES.has(code)) return true;
  }
  return false;
}

export interface GrpcFailoverOptions {
  /** The primary gRPC endpoint first, then its fallbacks. */
  readonly urls: readonly string[];
  readonly chainId: string;
  readonly timeoutMs: number;
  readonly watermark: HeightWatermark;
  readonly onSwitch?: (from: string, to: string, why: unknown) => void;
}

/**
 * chain-sdk query clients for a primary gRPC endpoint and its fallbacks. A fallback is used only if
 * it serves the configured chain at a height no lower than what was already read.
 */
export function grpcFailover(options: GrpcFailoverOptions): EndpointFailover<ChainNodeSDK> {
  const endpoints = options.urls.map((url) => ({
    url,
    client: createChainNodeSDK({
      query: { baseUrl: url, transportOptions: { defaultTimeoutMs: options.timeoutMs } },
    }),
  }));
  return new EndpointFailover(endpoints, {
    isUnreachable: isGrpcUnreachable,
    admit: async ({ url, client }) => {
      const tendermint = client.cosmos.base.tendermint.v1beta1;
      const [info, latest] = await Promise.all([tendermint.getNodeInfo(), tendermint.getLatestBlock()]);
      const network = info.defaultNodeInfo?.network;
      if (network !== options.chainId) {
        throw new EffectError(
          "retryable",
          `fallback gRPC ${url} serves chain "${network}", not "${options.chainId}": not used`,
        );
      }
      const height = Number(latest.sdkBlock?.header?.height ?? latest.block?.header?.height ?? 0);
      if (height < options.watermark.height) {
        throw new EffectError(
          "retryable",
          `fallback gRPC ${url} is at height ${height}, behind height ${options.watermark.height} already read: not reading stale state`,
        );
      }
      options.watermark.note(height);
    },
    ...(options.onSwitch ? { onSwitch: options.onSwitch } : {}),
  });
}
