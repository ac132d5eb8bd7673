import { HttpClient, type RpcClient } from "@cosmjs/tendermint-rpc";
import { EffectError } from "../../domain/effect-failure.js";
import { EndpointFailover, type HeightWatermark } from "./endpoint-failover.js";

type RpcRequest = Parameters<RpcClient["execute"]>[0];
type RpcResponse = Awaited<ReturnType<RpcClient["execute"]>>;

const BAD_STATUS = /^Bad status on response: (\d+)/;

/**
 * Whether a CometBFT RPC call failed to reach its node (refused, timed out, 5xx or 429), as opposed
 * to the node answering with a JSON-RPC error (cosmjs throws those as their JSON).
 */
export function isRpcUnreachable(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  if (message.startsWith("{")) return false;
  const status = BAD_STATUS.exec(message);
  if (status) return Number(status[1]) >= 500 || Number(status[1]) === 429;
  return true;
}

interface StatusResult {
  node_info?: { network?: string };
  sync_info?: { latest_block_height?: string | number };
}

const statusOf = (response: RpcResponse) => response.result as StatusResult;

export interface FailoverRpcClientOptions {
  /** The primary RPC first, then its fallbacks. */
  readonly urls: readonly string[];
  readonly chainId: string;
  readonly timeoutMs: number;
  readonly watermark: HeightWatermark;
  readonly onSwitch?: (from: string, to: string, why: unknown) => void;
}

/**
 * A cosmjs RPC client over a primary CometBFT endpoint and its fallbacks: a call that cannot reach
 * the current node goes to the next one that serves the same chain at least as far as what was
 * already read (every `status` answer and every tx found raises that watermark).
 */
export class FailoverRpcClient implements RpcClient {
  private readonly failover: EndpointFailover<HttpClient>;
  private nextId = 1;

  constructor(private readonly options: FailoverRpcClientOptions) {
    this.failover = new EndpointFailover(
      options.urls.map((url) => ({ url, client: new HttpClient(url, options.timeoutMs) })),
      {
        isUnreachable: isRpcUnreachable,
        admit: (endpoint) => this.admit(endpoint.url, endpoint.client),
        ...(options.onSwitch ? { onSwitch: options.onSwitch } : {}),
      },
    );
  }

  /** The RPC endpoint calls go to now. */
  get currentUrl(): string {
    return this.failover.current.url;
  }

  readonly execute = async (request: RpcRequest): Promise<RpcResponse> => {
    const response = await this.failover.call((client) => client.execute(request));
    if (request.method === "status") this.noteHeight(response);
    if (request.method === "tx_search") {
      const txs = (response.result as { txs?: Array<{ height?: string | number }> }).txs ?? [];
      for (const tx of txs) this.options.watermark.note(Number(tx.height ?? 0));
    }
    return response;
  };

  readonly disconnect = (): void => {
    for (const endpoint of this.failover.all) endpoint.client.disconnect();
  };

  private noteHeight(response: RpcResponse): number {
    const height = Number(statusOf(response).sync_info?.latest_block_height ?? 0);
    this.options.watermark.note(height);
    return height;
  }

  private async admit(url: string, client: HttpClient): Promise<void> {
    const response = await client.execute({
      jsonrpc: "2.0",
      id: this.nextId++,
      method: "status",
      params: {},
    });
    const network = statusOf(response).node_info?.network;
    if (network !== this.options.chainId) {
      throw new EffectError(
        "retryable",
        `fallback RPC ${url} serves chain "${network}", not "${this.options.chainId}": not used`,
      );
    }
    const height = Number(statusOf(response).sync_info?.latest_block_height ?? 0);
    const seen = this.options.watermark.height;
    if (height < seen) {
      throw new EffectError(
        "retryable",
        `fallback RPC ${url} is at height ${height}, behind height ${seen} already read: not reading stale state`,
      );
    }
    this.options.watermark.note(height);
  }
}
