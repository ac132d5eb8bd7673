import { createSocket, type Socket } from "node:dgram";
import { LOOPBACK } from "../http-utils.js";
import { answerQuery } from "./dns-responder.js";
import type { IngressZone } from "./ingress-zone.js";

/** A UDP DNS server on loopback answering from one zone (no TCP: every answer fits in 512 bytes). */
export class DnsServer {
  private socket: Socket | undefined;
  private readonly zone: IngressZone;

  constructor(zone: IngressZone) {
    this.zone = zone;
  }

  /** Resolves with `127.0.0.1:<port>`, the form resolvers take a server in. */
  start(port = 0): Promise<string> {
    const socket = createSocket("udp4");
    this.socket = socket;
    socket.on("message", (message, from) => {
      const answer = answerQuery(message, this.zone);
      if (answer) socket.send(answer, from.port, from.address);
    });
    return new Promise((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(port, LOOPBACK, () => {
        socket.off("error", reject);
        // A failed send to a client that went away must not take the devnet down.
        socket.on("error", () => undefined);
        resolve(`${LOOPBACK}:${socket.address().port}`);
      });
    });
  }

  stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => socket.close(() => resolve()));
  }
}
