import type { IncomingMessage, ServerResponse } from "node:http";
import { fromBase64, fromHex, toBase64 } from "@cosmjs/encoding";
import type { Chain } from "../chain/chain.js";
import { GrpcCode, grpcStatusOf } from "../chain/chain-errors.js";
import type { QueryRouter } from "../grpc/query-router.js";
import { LoopbackHttpServer, readBody, sendJson } from "../http-utils.js";
import { type NetworkFaults, sleep } from "../network-faults.js";
import {
  blockJson,
  eventsJson,
  hex,
  rfc3339Nano,
  txJson,
  txResultJson,
  type ValidatorIdentity,
} from "./comet-json.js";
import { CometWebsocket, type JsonRpcId, type JsonRpcReply } from "./comet-websocket.js";
import { matchesTxQuery, parseTxQuery } from "./tx-search-query.js";

const COMET_VERSION = "0.38.21";
const GRPC_CODE_NAMES: Record<number, string> = {
  [GrpcCode.Unknown]: "Unknown",
  [GrpcCode.InvalidArgument]: "InvalidArgument",
  [GrpcCode.NotFound]: "NotFound",
  [GrpcCode.AlreadyExists]: "AlreadyExists",
  [GrpcCode.PermissionDenied]: "PermissionDenied",
  [GrpcCode.FailedPrecondition]: "FailedPrecondition",
  [GrpcCode.Unimplemented]: "Unimplemented",
  [GrpcCode.Internal]: "Internal",
  [GrpcCode.Unavailable]: "Unavailable",
  [GrpcCode.Unauthenticated]: "Unauthenticated",
};

class RpcMethodError extends Error {
  readonly code: number;
  readonly data: string;

  constructor(code: number, message: string, data: string) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

type Params = Record<string, unknown>;

const str = (value: unknown): string | undefined =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;

/** cosmos-sdk gRPCErrorToSDKError: the ABCI code and log a node returns for a failed gRPC-routed query. */
function abciErrorFor(error: unknown): { code: number; log: string } {
  const status = grpcStatusOf(error);
  const name = GRPC_CODE_NAMES[status.code] ?? "Unknown";
  const base = `rpc error: code = ${name} desc = ${status.message}`;
  switch (status.code) {
    case GrpcCode.NotFound:
      return { code: 22, log: `${base}: key not found` };
    case GrpcCode.InvalidArgument:
    case GrpcCode.FailedPrecondition:
      return { code: 18, log: `${base}: invalid request` };
    case GrpcCode.Unauthenticated:
      return { code: 4, log: `${base}: unauthorized` };
    default:
      return { code: 6, log: `${base}: unknown request` };
  }
}

export interface CometRpcServerOptions {
  readonly chain: Chain;
  readonly queries: QueryRouter;
  readonly faults: NetworkFaults;
  readonly validator: ValidatorIdentity;
}

/**
 * CometBFT 0.38 JSON-RPC over HTTP (POST / and the GET URI form) and over the `/websocket` endpoint (with
 * event subscriptions), as cosmjs' Comet38Client expects.
 */
export class CometRpcServer {
  private readonly http = new LoopbackHttpServer((req, res) => this.handle(req, res));
  private readonly options: CometRpcServerOptions;
  private readonly methods: Record<string, (params: Params) => unknown | Promise<unknown>>;
  private readonly websocket: CometWebsocket;

  constructor(options: CometRpcServerOptions) {
    this.options = options;
    this.websocket = new CometWebsocket({
      chain: options.chain,
      validator: options.validator,
      call: (id, method, params) => this.invoke(id, method, params),
    });
    this.http.onUpgrade((req, socket, head) => this.websocket.handleUpgrade(req, socket, head));
    this.methods = {
      health: () => ({}),
      status: () => this.status(),
      abci_info: () => this.abciInfo(),
      abci_query: (p) => this.abciQuery(p),
      broadcast_tx_sync: (p) => this.broadcastSync(p),
      broadcast_tx_async: (p) => this.broadcastSync(p),
      broadcast_tx_commit: (p) => this.broadcastCommit(p),
      tx: (p) => this.tx(p),
      tx_search: (p) => this.txSearch(p),
      block: (p) => this.block(p),
      block_results: (p) => this.blockResults(p),
      validators: (p) => this.validators(p),
      net_info: () => ({ listening: true, listeners: [], n_peers: "0", peers: [] }),
      num_unconfirmed_txs: () => ({ n_txs: "0", total: "0", total_bytes: "0", txs: null }),
    };
  }

  start(port = 0): Promise<string> {
    return this.http.start(port);
  }

  stop(): Promise<void> {
    this.websocket.close();
    return this.http.stop();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const decision = this.options.faults.take("rpc");
    if (decision.delayMs > 0) await sleep(decision.delayMs);
    if (decision.fail) {
      res.writeHead(503, { "content-type": "text/plain" });
      res.end("devnet fault injection: RPC unavailable\n");
      return;
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "GET" && url.pathname !== "/") {
      const method = url.pathname.slice(1);
      const params: Params = {};
      for (const [k, v] of url.searchParams) params[k] = v.replace(/^"(.*)"$/, "$1");
      if (typeof params.hash === "string" && params.hash.startsWith("0x")) {
        params.hash = toBase64(fromHex(params.hash.slice(2)));
      }
      if (typeof params.data === "string" && params.data.startsWith("0x")) params.data = params.data.slice(2);
      await this.dispatch(res, -1, method, params, true);
      return;
    }
    if (req.method !== "POST" || url.pathname !== "/") {
      res.writeHead(404).end();
      return;
    }
    let request: { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
    try {
      request = JSON.parse((await readBody(req)).toString("utf8")) as typeof request;
    } catch {
      sendJson(res, 500, {
        jsonrpc: "2.0",
        id: -1,
        error: { code: -32700, message: "Parse error. Invalid JSON", data: "" },
      });
      return;
    }
    const id = typeof request.id === "number" || typeof request.id === "string" ? request.id : -1;
    if (typeof request.method !== "string") {
      sendJson(res, 400, {
        jsonrpc: "2.0",
        id,
        error: { code: -32600, message: "Invalid Request", data: "" },
      });
      return;
    }
    const params = request.params && typeof request.params === "object" ? (request.params as Params) : {};
    await this.dispatch(res, id, request.method, params, false);
  }

  private async dispatch(
    res: ServerResponse,
    id: number | string,
    method: string,
    params: Params,
    uri: boolean,
  ): Promise<void> {
    const reply = await this.invoke(id, method, params);
    sendJson(res, uri && "error" in reply && reply.error.code === -32601 ? 404 : 200, reply);
  }

  /** Runs one JSON-RPC method (HTTP and WebSocket alike). */
  private async invoke(id: JsonRpcId, method: string, params: Params): Promise<JsonRpcReply> {
    const fn = this.methods[method];
    if (!fn) return { jsonrpc: "2.0", id, error: { code: -32601, message: "Method not found", data: "" } };
    try {
      return { jsonrpc: "2.0", id, result: await fn(params) };
    } catch (error) {
      const rpcError =
        error instanceof RpcMethodError
          ? error
          : new RpcMethodError(
              -32603,
              "Internal error",
              error instanceof Error ? error.message : String(error),
            );
      return {
        jsonrpc: "2.0",
        id,
        error: { code: rpcError.code, message: rpcError.message, data: rpcError.data },
      };
    }
  }

  private heightParam(params: Params): bigint {
    const raw = str(params.height);
    if (raw === undefined || raw === "" || raw === "0") return this.options.chain.height;
    if (!/^\d+$/.test(raw)) throw new RpcMethodError(-32602, "Invalid params", `invalid height ${raw}`);
    const height = BigInt(raw);
    if (height > this.options.chain.height) {
      throw new RpcMethodError(
        -32603,
        "Internal error",
        `height ${height} must be less than or equal to the current blockchain height ${this.options.chain.height}`,
      );
    }
    return height;
  }

  private status() {
    const { chain, validator } = this.options;
    const latest = chain.latestBlock;
    const earliest = chain.blocks[0]!;
    return {
      node_info: {
        protocol_version: { p2p: "8", block: "11", app: "0" },
        id: validator.nodeId,
        listen_addr: "tcp://127.0.0.1:26656",
        network: chain.chainId,
        version: COMET_VERSION,
        channels: "40202122233038606100",
        moniker: validator.moniker,
        other: { tx_index: "on", rpc_address: "tcp://127.0.0.1:26657" },
      },
      sync_info: {
        latest_block_hash: hex(latest.hash),
        latest_app_hash: hex(latest.appHash),
        latest_block_height: latest.height.toString(),
        latest_block_time: rfc3339Nano(latest.time),
        earliest_block_hash: hex(earliest.hash),
        earliest_app_hash: hex(earliest.appHash),
        earliest_block_height: earliest.height.toString(),
        earliest_block_time: rfc3339Nano(earliest.time),
        catching_up: false,
      },
      validator_info: {
        address: hex(validator.address),
        pub_key: { type: "tendermint/PubKeyEd25519", value: toBase64(validator.pubKey) },
        voting_power: "10",
      },
    };
  }

  private abciInfo() {
    const latest = this.options.chain.latestBlock;
    return {
      response: {
        data: "akash",
        version: "v2.0.0-devnet",
        app_version: "0",
        last_block_height: latest.height.toString(),
        last_block_app_hash: toBase64(latest.appHash),
      },
    };
  }

  private abciQuery(params: Params) {
    const path = str(params.path) ?? "";
    const dataHex = str(params.data) ?? "";
    const height = this.options.chain.height.toString();
    const base = { index: "0", key: null, proofOps: null, height, info: "" };
    const route = this.options.queries.get(path);
    if (!route) {
      return {
        response: {
          ...base,
          code: 6,
          log: `unknown query path: ${path}: unknown request`,
          value: null,
          codespace: "sdk",
        },
      };
    }
    try {
      const value = route.handle(dataHex ? fromHex(dataHex) : new Uint8Array());
      return { response: { ...base, code: 0, log: "", value: toBase64(value), codespace: "" } };
    } catch (error) {
      const { code, log } = abciErrorFor(error);
      return { response: { ...base, code, log, value: null, codespace: "sdk", height: "0" } };
    }
  }

  private decodeTxParam(params: Params): Uint8Array {
    const raw = str(params.tx);
    if (!raw) throw new RpcMethodError(-32602, "Invalid params", "missing tx");
    try {
      return fromBase64(raw);
    } catch {
      throw new RpcMethodError(-32602, "Invalid params", "tx is not base64");
    }
  }

  private broadcastSync(params: Params) {
    const bytes = this.decodeTxParam(params);
    const result = this.options.chain.checkTx(bytes);
    if (result.code === 19) throw new RpcMethodError(-32603, "Internal error", "tx already exists in cache");
    return {
      code: result.code,
      data: "",
      log: result.log,
      codespace: result.codespace,
      hash: hex(result.hash),
    };
  }

  private async broadcastCommit(params: Params): Promise<unknown> {
    const check = this.broadcastSync(params);
    const checkTx = { ...check, gas_wanted: "0", gas_used: "0", events: [] };
    if (check.code !== 0) return { check_tx: checkTx, tx_result: {}, hash: check.hash, height: "0" };
    let result: Awaited<ReturnType<Chain["waitForTx"]>>;
    try {
      result = await this.options.chain.waitForTx(check.hash, 30_000);
    } catch {
      throw new RpcMethodError(
        -32603,
        "Internal error",
        "timed out waiting for tx to be included in a block",
      );
    }
    return {
      check_tx: checkTx,
      tx_result: txResultJson(result),
      hash: check.hash,
      height: result.height.toString(),
    };
  }

  private tx(params: Params) {
    const raw = str(params.hash) ?? "";
    let hashHex: string;
    try {
      hashHex = hex(fromBase64(raw));
    } catch {
      throw new RpcMethodError(-32602, "Invalid params", "hash is not base64");
    }
    const result = this.options.chain.getTx(hashHex);
    if (!result) throw new RpcMethodError(-32603, "Internal error", `tx (${hashHex}) not found`);
    return txJson(result);
  }

  private txSearch(params: Params) {
    const query = str(params.query) ?? "";
    let conditions: ReturnType<typeof parseTxQuery>;
    try {
      conditions = parseTxQuery(query);
    } catch (error) {
      throw new RpcMethodError(-32603, "Internal error", (error as Error).message);
    }
    const page = Math.max(1, Number.parseInt(str(params.page) ?? "1", 10) || 1);
    const perPage = Math.min(100, Math.max(1, Number.parseInt(str(params.per_page) ?? "30", 10) || 30));
    const desc = str(params.order_by) === "desc";
    let matches = this.options.chain.allTxResults().filter((r) => matchesTxQuery(r, hex(r.hash), conditions));
    if (desc) matches = [...matches].reverse();
    const pages = Math.max(1, Math.ceil(matches.length / perPage));
    if (page > pages) {
      throw new RpcMethodError(
        -32603,
        "Internal error",
        `page should be within [1, ${pages}] range, given ${page}`,
      );
    }
    const slice = matches.slice((page - 1) * perPage, page * perPage);
    return { txs: slice.map(txJson), total_count: String(matches.length) };
  }

  private block(params: Params) {
    const height = this.heightParam(params);
    const { chain, validator } = this.options;
    const block = chain.blockAt(height);
    if (!block) throw new RpcMethodError(-32603, "Internal error", `height ${height} is not available`);
    return blockJson(block, chain.blockAt(height - 1n), validator, chain.chainId);
  }

  private blockResults(params: Params) {
    const height = this.heightParam(params);
    const results = this.options.chain.allTxResults().filter((r) => r.height === height);
    return {
      height: height.toString(),
      txs_results: results.length > 0 ? results.map(txResultJson) : null,
      finalize_block_events: eventsJson([]),
      validator_updates: null,
      consensus_param_updates: null,
      app_hash: toBase64(this.options.chain.blockAt(height)?.appHash ?? new Uint8Array()),
    };
  }

  private validators(params: Params) {
    const height = this.heightParam(params);
    const { validator } = this.options;
    return {
      block_height: height.toString(),
      validators: [
        {
          address: hex(validator.address),
          pub_key: { type: "tendermint/PubKeyEd25519", value: toBase64(validator.pubKey) },
          voting_power: "10",
          proposer_priority: "0",
        },
      ],
      count: "1",
      total: "1",
    };
  }
}
