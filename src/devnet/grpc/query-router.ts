import { GrpcCode, QueryError } from "../chain/chain-errors.js";
import type { MessageCodec } from "../chain/msg-handler.js";

/** A gRPC query method: decodes its request, answers from chain state, encodes its response. */
export interface QueryRoute {
  readonly path: string;
  handle(request: Uint8Array): Uint8Array;
}

/**
 * Query services by gRPC method path (`/akash.market.v1beta5.Query/Bids`). The same routes serve the gRPC
 * server and CometBFT `abci_query`, as a Cosmos SDK node does.
 */
export class QueryRouter {
  private readonly routes = new Map<string, QueryRoute>();

  add<Req, Res>(
    path: string,
    requestCodec: Pick<MessageCodec<Req>, "decode">,
    responseCodec: Pick<MessageCodec<Res>, "encode" | "fromPartial">,
    handler: (request: Req) => unknown,
  ): this {
    this.routes.set(path, {
      path,
      handle: (bytes) => {
        let request: Req;
        try {
          request = requestCodec.decode(bytes);
        } catch (error) {
          throw new QueryError(
            GrpcCode.InvalidArgument,
            `failed to decode request: ${(error as Error).message}`,
          );
        }
        const response = responseCodec.fromPartial(handler(request) as never);
        return responseCodec.encode(response).finish();
      },
    });
    return this;
  }

  get(path: string): QueryRoute | undefined {
    return this.routes.get(path);
  }

  paths(): string[] {
    return [...this.routes.keys()].sort();
  }
}
