import { createServer, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import { GrpcCode, grpcStatusOf } from "../chain/chain-errors.js";
import { ConnectionTracker, closeServer, LOOPBACK, listen } from "../http-utils.js";
import { type NetworkFaults, sleep } from "../network-faults.js";
import type { QueryRouter } from "./query-router.js";

const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** grpc-message is percent-encoded (gRPC over HTTP/2 spec). */
function encodeGrpcMessage(message: string): string {
  return encodeURIComponent(message).replace(/%20/g, " ");
}

function frame(message: Uint8Array): Buffer {
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt8(0, 0);
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

/**
 * gRPC over HTTP/2 cleartext with prior knowledge (what connect-node's Http2SessionManager speaks to an
 * http:// URL): unary calls only, length-prefixed protobuf frames, `grpc-status` in trailers, or a
 * trailers-only response for errors.
 */
export class GrpcServer {
  private readonly server: Http2Server;
  private readonly tracker = new ConnectionTracker();
  private readonly router: QueryRouter;
  private readonly faults: NetworkFaults;

  constructor(router: QueryRouter, faults: NetworkFaults) {
    this.router = router;
    this.faults = faults;
    this.server = createServer();
    this.tracker.track(this.server);
    this.server.on("stream", (stream, headers) => {
      // A client that goes away mid-request (killed, timed out) ends the stream early; nothing to answer.
      this.handle(stream, headers).catch(() => {
        if (!stream.destroyed) stream.close();
      });
    });
  }

  async start(port = 0): Promise<string> {
    const bound = await listen(this.server, port);
    return `http://${LOOPBACK}:${bound}`;
  }

  stop(): Promise<void> {
    return closeServer(this.server, this.tracker);
  }

  private respondError(stream: ServerHttp2Stream, code: number, message: string): void {
    if (stream.destroyed || stream.closed) return;
    stream.respond(
      {
        ":status": 200,
        "content-type": "application/grpc",
        "grpc-status": String(code),
        "grpc-message": encodeGrpcMessage(message),
      },
      { endStream: true },
    );
  }

  private async handle(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): Promise<void> {
    stream.on("error", () => undefined);
    const path = String(headers[":path"] ?? "");
    const contentType = String(headers["content-type"] ?? "");
    if (headers[":method"] !== "POST" || !contentType.startsWith("application/grpc")) {
      stream.respond({ ":status": 415 }, { endStream: true });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size > MAX_MESSAGE_BYTES + 5) {
        this.respondError(stream, 8, "request message too large");
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);

    const decision = this.faults.take("grpc");
    if (decision.delayMs > 0) await sleep(decision.delayMs);
    if (decision.fail) {
      this.respondError(stream, GrpcCode.Unavailable, "devnet fault injection: gRPC unavailable");
      return;
    }

    const route = this.router.get(path);
    if (!route) {
      this.respondError(
        stream,
        GrpcCode.Unimplemented,
        `unknown method ${path.split("/").pop() ?? ""} for service ${path.split("/")[1] ?? ""}`,
      );
      return;
    }
    if (body.length < 5 || body.readUInt8(0) !== 0) {
      this.respondError(
        stream,
        GrpcCode.Internal,
        body.length < 5 ? "missing request message" : "compressed requests are not supported",
      );
      return;
    }
    const length = body.readUInt32BE(1);
    if (body.length < 5 + length) {
      this.respondError(stream, GrpcCode.Internal, "truncated request message");
      return;
    }
    let response: Uint8Array;
    try {
      response = route.handle(body.subarray(5, 5 + length));
    } catch (error) {
      const status = grpcStatusOf(error);
      this.respondError(stream, status.code, status.message);
      return;
    }
    if (stream.destroyed || stream.closed) return;
    stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
    stream.on("wantTrailers", () => {
      stream.sendTrailers({ "grpc-status": "0", "grpc-message": "" });
    });
    stream.end(frame(response));
  }
}
