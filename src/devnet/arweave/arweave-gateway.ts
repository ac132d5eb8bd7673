import type { IncomingMessage, ServerResponse } from "node:http";
import { LoopbackHttpServer, sendText } from "../http-utils.js";
import { sleep } from "../network-faults.js";
import type { ArlocalNode } from "./arlocal-node.js";
import type { ArweaveGatewayFaultMode } from "./arweave-types.js";

/**
 * arlocal's own test routes (mine, mint, reset, set a balance, delete a tx), which no real gateway has: a
 * client that leaned on them would work here and fail on arweave.net. The devnet uses them internally.
 */
const TEST_ONLY_ROUTE =
  /^(GET \/(mine|mineWithFails|mint|reset)(\/|$)|POST \/wallet\/?$|PATCH \/wallet\/|DELETE \/tx\/)/;

/**
 * The gateway clients see: a loopback HTTP server that hands each request to arlocal, unless a fault says
 * otherwise or it is one of arlocal's test routes. Down as "error" answers 502 Bad Gateway, as arweave.net's edge does when the node behind it
 * is gone; down as "refuse" closes the port (connection refused); a delay holds every request first.
 */
export class ArweaveGateway {
  private readonly http: LoopbackHttpServer;
  private port = 0;
  private listening = false;
  private mode: ArweaveGatewayFaultMode | undefined;
  private delay = 0;

  constructor(node: ArlocalNode) {
    this.http = new LoopbackHttpServer((req, res) => this.handle(node, req, res));
  }

  /** Listens on loopback (port 0 = any free port) and resolves with the gateway's URL. */
  async start(port = 0): Promise<string> {
    const url = await this.http.start(port);
    this.port = Number(new URL(url).port);
    this.listening = true;
    return url;
  }

  async stop(): Promise<void> {
    this.listening = false;
    await this.http.stop();
  }

  get fault(): ArweaveGatewayFaultMode | undefined {
    return this.mode;
  }

  get delayMs(): number {
    return this.delay;
  }

  async setFault(mode: ArweaveGatewayFaultMode | undefined): Promise<void> {
    this.mode = mode;
    if (mode === "refuse" && this.listening) {
      this.listening = false;
      await this.http.stop();
    } else if (mode !== "refuse" && !this.listening && this.port !== 0) {
      await this.http.start(this.port);
      this.listening = true;
    }
  }

  setDelay(delayMs: number): void {
    if (!Number.isInteger(delayMs) || delayMs < 0)
      throw new RangeError(`arweave gateway delay must be a whole number of ms >= 0 (got ${delayMs})`);
    this.delay = delayMs;
  }

  private async handle(node: ArlocalNode, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.delay > 0) await sleep(this.delay);
    if (this.mode === "error") {
      req.resume();
      sendText(res, 502, "devnet fault injection: Arweave gateway unavailable (502 Bad Gateway)");
      return;
    }
    const path = new URL(req.url ?? "/", "http://gateway").pathname;
    if (TEST_ONLY_ROUTE.test(`${req.method} ${path}`)) {
      req.resume();
      sendText(res, 404, "Not Found");
      return;
    }
    node.dispatch(req, res);
  }
}
