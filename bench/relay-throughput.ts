/**
 * The agent's relay throughput on this machine: events/s it accepts (OK true, stored in SQLite) from
 * N nostr-tools clients publishing at once, over the same WebSocket path the agent's HTTP port uses.
 * Events are signed before the clock starts; the clients share this process (and its cores) with the
 * relay, so the figures are a floor. Prints figures; asserts nothing.
 *
 *   npm run bench:relay                  (about half a minute)
 *   BENCH_EVENTS=2000 npm run bench:relay
 */

import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { finalizeEvent, generateSecretKey, type VerifiedEvent } from "nostr-tools/pure";
import { Relay, useWebSocketImplementation } from "nostr-tools/relay";
import WebSocket from "ws";
import { AgentRelay } from "../src/services/relay/index.js";

useWebSocketImplementation(WebSocket);

const totalEvents = Number(process.env.BENCH_EVENTS ?? 4000);
const clientCounts = [1, 10, 50, 200];

async function measure(clients: number): Promise<{ eventsPerSecond: number; storedBytes: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), "relay-bench-"));
  const relay = await AgentRelay.open({
    dataDir,
    hostname: "127.0.0.1",
    name: "bench",
    pubkey: "0".repeat(64),
  });
  const server = createServer((_req, res) => res.end());
  server.on("upgrade", (req, socket, head) => relay.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const perClient = Math.ceil(totalEvents / clients);
    const batches: VerifiedEvent[][] = Array.from({ length: clients }, (_, c) => {
      const secret = generateSecretKey();
      const start = Math.floor(Date.now() / 1000);
      return Array.from({ length: perClient }, (_, i) =>
        finalizeEvent({ kind: 1, created_at: start, tags: [], content: `bench ${c}/${i}` }, secret),
      );
    });
    const connections = await Promise.all(batches.map(() => Relay.connect(url)));
    const started = performance.now();
    await Promise.all(
      connections.map(async (connection, c) => {
        for (const event of batches[c]!) await connection.publish(event);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const traffic = relay.traffic();
    for (const connection of connections) connection.close();
    if (traffic.eventsAccepted !== perClient * clients) {
      throw new Error(`the relay accepted ${traffic.eventsAccepted} of ${perClient * clients} events`);
    }
    return { eventsPerSecond: traffic.eventsAccepted / seconds, storedBytes: traffic.storedBytes };
  } finally {
    server.closeAllConnections();
    server.close();
    await relay.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

console.log(
  `relay throughput: ${totalEvents} kind-1 events per run, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), load average ${loadavg()[0]?.toFixed(1)}`,
);
console.log(`${"clients".padStart(7)}  ${"events/s accepted".padStart(17)}  ${"stored KB".padStart(9)}`);
for (const clients of clientCounts) {
  const { eventsPerSecond, storedBytes } = await measure(clients);
  console.log(
    `${String(clients).padStart(7)}  ${Math.round(eventsPerSecond).toLocaleString("en-US").padStart(17)}  ${(storedBytes / 1024).toFixed(0).padStart(9)}`,
  );
}
