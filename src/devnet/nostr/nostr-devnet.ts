import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { EventRepositorySqlite } from "@nostr-relay/event-repository-sqlite";
import { NostrRelayServer } from "./nostr-relay-server.js";
import type { DevnetNostrInfo, NostrDevnetControl } from "./nostr-types.js";

/** The relay's SQLite file under the devnet's data directory. */
export const NOSTR_EVENTS_FILE = "nostr-events.sqlite";

export interface NostrDevnet {
  readonly info: DevnetNostrInfo;
  readonly control: NostrDevnetControl;
  stop(): Promise<void>;
}

export interface StartNostrDevnetInput {
  /** Keeps the events in `<dataDir>/nostr-events.sqlite` across restarts; omitted = in memory. */
  readonly dataDir?: string;
  readonly port?: number;
  readonly onError?: (message: string) => void;
}

/** Starts the devnet's Nostr relay: its store (SQLite, migrated), the relay, and its port on loopback. */
export async function startNostrDevnet(input: StartNostrDevnetInput = {}): Promise<NostrDevnet> {
  let file = ":memory:";
  if (input.dataDir !== undefined) {
    mkdirSync(input.dataDir, { recursive: true });
    file = join(input.dataDir, NOSTR_EVENTS_FILE);
  }
  const repository = new EventRepositorySqlite(file);
  const closeRepository = () => repository.destroy();
  try {
    await repository.init();
  } catch (error) {
    await closeRepository();
    throw error;
  }
  const server = new NostrRelayServer(repository, input.onError);
  let relay: string;
  try {
    relay = await server.start(input.port);
  } catch (error) {
    await server.stop();
    await closeRepository();
    throw error;
  }
  const countEvents = repository.getDatabase().prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM events");

  const control: NostrDevnetControl = {
    setRelayDown: () => server.setDown(),
    setRelayUp: () => server.setUp(),
    dropEvents(mode = "reject") {
      server.drops.mode = mode;
    },
    clearEventDrops() {
      server.drops.mode = null;
    },
    status: () => ({
      relay,
      down: server.down,
      dropEvents: server.drops.mode,
      connections: server.connections,
      storedEvents: countEvents.get()?.n ?? 0,
    }),
  };

  return {
    info: { relay },
    control,
    async stop() {
      await server.stop();
      await closeRepository();
    },
  };
}
