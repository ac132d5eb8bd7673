import { mkdirSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import type { NostrRelay } from "@nostr-relay/core";
import { EventRepositorySqlite } from "@nostr-relay/event-repository-sqlite";
import { type Event, verifyEvent } from "nostr-tools/pure";
import { WebSocketServer } from "ws";
import { createRelayCore, MAX_MESSAGE_BYTES, serveRelayClient } from "./relay-core.js";
import { type RelayInformation, relayInformation } from "./relay-information.js";
import { type RelayTraffic, TrafficMeter } from "./traffic-meter.js";
import { WriteGate } from "./write-gate.js";

/** The relay's SQLite file under the agent's data directory (on the deployment's persistent volume). */
export const RELAY_EVENTS_FILE = "relay-events.sqlite";

export interface AgentRelayOptions {
  readonly dataDir: string;
  /** The host in the relay URL clients sign into NIP-42 AUTH events. */
  readonly hostname: string;
  readonly name: string;
  /** The agent's Nostr public key (hex), published in the NIP-11 document as the relay's contact. */
  readonly pubkey: string;
  readonly onError?: (message: string) => void;
  readonly now?: () => number;
}

/**
 * The Nostr relay the agent serves on its public port: NIP-01/NIP-11/NIP-42 over its HTTP server's
 * WebSocket upgrades, events in SQLite under the data directory, traffic metered as it flows.
 */
export class AgentRelay {
  private readonly sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  private readonly meter: TrafficMeter;
  private readonly pageBytes: () => number;
  private closed = false;

  private constructor(
    private readonly repository: EventRepositorySqlite,
    private readonly relay: NostrRelay,
    meter: TrafficMeter,
    private readonly gate: WriteGate,
    private readonly information: RelayInformation,
  ) {
    this.meter = meter;
    const db = repository.getDatabase();
    const pageCount = db.prepare<[], { page_count: number }>("PRAGMA page_count");
    const pageSize = db.prepare<[], { page_size: number }>("PRAGMA page_size");
    this.pageBytes = () => (pageCount.get()?.page_count ?? 0) * (pageSize.get()?.page_size ?? 0);
    this.sockets.on("connection", (ws, req: IncomingMessage) => serveRelayClient(this.relay, ws, req));
  }

  /** Opens (creating and migrating) the event store and builds the relay over it. */
  static async open(options: AgentRelayOptions): Promise<AgentRelay> {
    mkdirSync(options.dataDir, { recursive: true });
    const repository = new EventRepositorySqlite(join(options.dataDir, RELAY_EVENTS_FILE));
    try {
      await repository.init();
    } catch (error) {
      await repository.destroy();
      throw error;
    }
    const meter = new TrafficMeter(options.now);
    const gate = new WriteGate();
    const relay = createRelayCore(repository, {
      hostname: options.hostname,
      plugins: [gate, meter],
      ...(options.onError ? { onError: options.onError } : {}),
    });
    return new AgentRelay(
      repository,
      relay,
      meter,
      gate,
      relayInformation({
        name: options.name,
        description: "The relay of a self-deploying Akash agent: it pays its own hosting from what it earns.",
        pubkey: options.pubkey,
      }),
    );
  }

  /** The NIP-11 document. */
  get nip11(): RelayInformation {
    return this.information;
  }

  /** Whether the event store is open (what readiness checks). */
  get isOpen(): boolean {
    return !this.closed && this.repository.getDatabase().open;
  }

  /** Takes a WebSocket upgrade as a relay client. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.sockets.handleUpgrade(req, socket, head, (ws) => this.sockets.emit("connection", ws, req));
  }

  /** Refuses every new event from now on, saying why (the relay moved): reads still work. */
  refuseWrites(reason: string): void {
    this.gate.close(reason);
  }

  /**
   * Stores events read from another relay (a self-migration's copy), skipping those it holds. Each
   * event must carry a valid signature; replaceable events keep the newest, as for a client's EVENT.
   */
  async importEvents(events: readonly Event[]): Promise<number> {
    let stored = 0;
    for (const event of events) {
      if (!verifyEvent({ ...event })) continue;
      const result = await this.repository.upsert(event);
      if (!result.isDuplicate) stored += 1;
    }
    return stored;
  }

  traffic(): RelayTraffic {
    return {
      eventsPerSecond: this.meter.eventsPerSecond(),
      openConnections: this.sockets.clients.size,
      storedBytes: this.isOpen ? this.pageBytes() : 0,
      eventsAccepted: this.meter.eventsAccepted,
      eventsRefused: this.meter.eventsRefused,
      eventsByKind: this.meter.eventsByKind,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const ws of this.sockets.clients) ws.terminate();
    this.sockets.close();
    await this.relay.destroy();
    await this.repository.destroy();
  }
}
