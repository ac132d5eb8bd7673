import { createServer, type Server } from "node:net";
import { platform } from "node:os";

/** How long a waiter sleeps between tries, and how often it says it is still waiting. */
const RETRY_MS = 500;
const REPORT_EVERY_MS = 30_000;

export interface MachineSlots {
  /** A name for the kind of work the slots limit, also the sockets' name prefix. */
  readonly name: string;
  /** How many holders at once, machine-wide. */
  readonly count: number;
  /** Told every 30 s while a holder waits. */
  readonly onWait?: (waitedMs: number) => void;
}

/**
 * Takes one of `count` slots shared by every process on this machine, waiting until one is free, and
 * returns its release. A slot is an abstract Unix socket (Linux): only one process can listen on a
 * name, and the kernel frees it when its process dies, so a killed test leaves no stale slot behind.
 * Elsewhere there is no limit and this returns at once.
 */
export async function takeMachineSlot(slots: MachineSlots): Promise<() => Promise<void>> {
  if (platform() !== "linux" || slots.count < 1) return async () => {};
  const started = Date.now();
  let reported = started;
  for (;;) {
    for (let index = 0; index < slots.count; index++) {
      const held = await listenOn(`\0${slots.name}-${index}`);
      if (held) return () => closeServer(held);
    }
    if (Date.now() - reported >= REPORT_EVERY_MS) {
      reported = Date.now();
      slots.onWait?.(reported - started);
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

/** The server listening on `path`, or null when another process holds it. */
function listenOn(path: string): Promise<Server | null> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") resolve(null);
      else reject(error);
    });
    server.listen(path, () => {
      // A held slot must not keep the test process alive on its own.
      server.unref();
      resolve(server);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
