import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { toBase64 } from "@cosmjs/encoding";
import { type WebSocket, WebSocketServer } from "ws";
import type { Chain, CommittedBlock, TxResultRecord } from "../chain/chain.js";
import type { AbciEvent } from "../chain/events.js";
import { blockJson, eventsJson, hex, txResultJson, type ValidatorIdentity } from "./comet-json.js";
import { type Condition, matchesEventMap, parseTxQuery } from "./tx-search-query.js";

/** CometBFT's default `max_subscriptions_per_client`. */
const MAX_SUBSCRIPTIONS_PER_CLIENT = 5;
export const WEBSOCKET_PATH = "/websocket";

export type JsonRpcId = number | string;

export type JsonRpcReply =
  | { readonly jsonrpc: "2.0"; readonly id: JsonRpcId; readonly result: unknown }
  | {
      readonly jsonrpc: "2.0";
      readonly id: JsonRpcId;
      readonly error: { readonly code: number; readonly message: string; readonly data: string };
    };

export interface CometWebsocketOptions {
  readonly chain: Chain;
  readonly validator: ValidatorIdentity;
  /** Runs any non-subscription JSON-RPC method, as the HTTP endpoint does. */
  readonly call: (id: JsonRpcId, method: string, params: Record<string, unknown>) => Promise<JsonRpcReply>;
}

interface Subscription {
  readonly id: JsonRpcId;
  readonly query: string;
  readonly conditions: readonly Condition[];
}

type EventMap = Record<string, string[]>;

function addEvents(map: EventMap, events: readonly AbciEvent[]): void {
  for (const event of events) {
    for (const a of event.attributes) {
      const key = `${event.type}.${a.key}`;
      if (!map[key]) map[key] = [];
      map[key].push(a.value);
    }
  }
}

const internalError = (id: JsonRpcId, data: string): JsonRpcReply => ({
  jsonrpc: "2.0",
  id,
  error: { code: -32603, message: "Internal error", data },
});

/**
 * CometBFT's `/websocket` endpoint: every JSON-RPC method, plus `subscribe`/`unsubscribe`/`unsubscribe_all`
 * on the event bus (`tm.event='NewBlock'`, `'NewBlockHeader'`, `'Tx'` with `tx.hash`/`tx.height`/event
 * attribute conditions). Events go out with the subscribing request's id and the shapes of CometBFT 0.38
 * (`tendermint/event/NewBlock`, `tendermint/event/Tx`), which cosmjs' Comet38Client decodes.
 */
export class CometWebsocket {
  private readonly server = new WebSocketServer({ noServer: true });
  private readonly options: CometWebsocketOptions;

  constructor(options: CometWebsocketOptions) {
    this.options = options;
  }

  /** The HTTP server's `upgrade` handler: `/websocket` becomes a session, anything else is refused. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path !== WEBSOCKET_PATH) {
      socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    this.server.handleUpgrade(req, socket, head, (ws) => this.session(ws));
  }

  close(): void {
    for (const client of this.server.clients) client.terminate();
    this.server.close();
  }

  private session(ws: WebSocket): void {
    const subscriptions = new Map<string, Subscription>();
    const send = (reply: JsonRpcReply) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
    };
    const stopListening = this.options.chain.onBlock((committed) => {
      for (const subscription of subscriptions.values()) this.publish(committed, subscription, send);
    });
    ws.on("close", () => {
      stopListening();
      subscriptions.clear();
    });
    ws.on("message", (data, isBinary) => {
      if (isBinary) return;
      let request: { id?: unknown; method?: unknown; params?: unknown };
      try {
        request = JSON.parse(String(data)) as typeof request;
      } catch {
        send({
          jsonrpc: "2.0",
          id: -1,
          error: { code: -32700, message: "Parse error. Invalid JSON", data: "" },
        });
        return;
      }
      const id = typeof request.id === "number" || typeof request.id === "string" ? request.id : -1;
      const params =
        request.params && typeof request.params === "object"
          ? (request.params as Record<string, unknown>)
          : {};
      switch (request.method) {
        case "subscribe": {
          const query = typeof params.query === "string" ? params.query : "";
          if (subscriptions.size >= MAX_SUBSCRIPTIONS_PER_CLIENT) {
            send(internalError(id, "max_subscriptions_per_client reached"));
            return;
          }
          if (subscriptions.has(query)) {
            send(internalError(id, "already subscribed"));
            return;
          }
          let conditions: Condition[];
          try {
            conditions = parseTxQuery(query);
          } catch (error) {
            send(internalError(id, `failed to parse query: ${(error as Error).message}`));
            return;
          }
          subscriptions.set(query, { id, query, conditions });
          send({ jsonrpc: "2.0", id, result: {} });
          return;
        }
        case "unsubscribe": {
          const query = typeof params.query === "string" ? params.query : "";
          if (!subscriptions.delete(query)) send(internalError(id, "subscription not found"));
          else send({ jsonrpc: "2.0", id, result: {} });
          return;
        }
        case "unsubscribe_all":
          if (subscriptions.size === 0) send(internalError(id, "subscription not found"));
          else {
            subscriptions.clear();
            send({ jsonrpc: "2.0", id, result: {} });
          }
          return;
        default:
          if (typeof request.method !== "string") {
            send({ jsonrpc: "2.0", id, error: { code: -32600, message: "Invalid Request", data: "" } });
            return;
          }
          void this.options.call(id, request.method, params).then(send, (error: unknown) => {
            send(internalError(id, error instanceof Error ? error.message : String(error)));
          });
      }
    });
  }

  /** EventBus order of a committed block: NewBlock, NewBlockHeader, then one Tx event per tx. */
  private publish(committed: CommittedBlock, subscription: Subscription, send: (r: JsonRpcReply) => void) {
    const { chain, validator } = this.options;
    const { block, txResults, endBlockEvents } = committed;
    const blockEvents: EventMap = {};
    addEvents(blockEvents, endBlockEvents);
    const emit = (events: EventMap, data: unknown) => {
      if (!matchesEventMap(events, subscription.conditions)) return;
      send({ jsonrpc: "2.0", id: subscription.id, result: { query: subscription.query, data, events } });
    };
    const json = blockJson(block, chain.blockAt(block.height - 1n), validator, chain.chainId);
    emit(
      { ...blockEvents, "tm.event": ["NewBlock"] },
      {
        type: "tendermint/event/NewBlock",
        value: {
          block: json.block,
          block_id: json.block_id,
          result_finalize_block: {
            events: eventsJson(endBlockEvents),
            txs_results: txResults.map(txResultJson),
            validator_updates: [],
            consensus_param_updates: null,
            app_hash: toBase64(block.appHash),
          },
        },
      },
    );
    emit(
      { ...blockEvents, "tm.event": ["NewBlockHeader"] },
      { type: "tendermint/event/NewBlockHeader", value: { header: json.block.header } },
    );
    for (const result of txResults) emit(txEventMap(result), txEventData(result));
  }
}

function txEventMap(result: TxResultRecord): EventMap {
  const events: EventMap = {};
  addEvents(events, result.events);
  events["tm.event"] = ["Tx"];
  events["tx.hash"] = [hex(result.hash)];
  events["tx.height"] = [result.height.toString()];
  return events;
}

function txEventData(result: TxResultRecord) {
  return {
    type: "tendermint/event/Tx",
    value: {
      TxResult: {
        height: result.height.toString(),
        index: result.index,
        tx: toBase64(result.tx),
        result: txResultJson(result),
      },
    },
  };
}
