import { existsSync, mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { ConnectionTracker, closeServer, LOOPBACK, listen } from "../http-utils.js";
import { sleep } from "../network-faults.js";
import type { ArweaveBlock } from "./arweave-types.js";

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

const networkInfoSchema = z.object({ height: z.number().int(), current: z.string() });

/** A port that is free on every interface, which is where arlocal's own `listen` binds first. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

const TERMINATION_SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * Runs `start` and then removes the SIGINT/SIGTERM handlers it added: arlocal's Apollo server registers
 * some that stop it and re-raise the signal, which would kill `akash-agent devnet` before it has stopped.
 */
async function withoutNewSignalHandlers(start: () => Promise<void>): Promise<void> {
  const before = new Map(TERMINATION_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  try {
    await start();
  } finally {
    for (const signal of TERMINATION_SIGNALS) {
      for (const listener of process.listeners(signal)) {
        if (!before.get(signal)!.has(listener)) process.off(signal, listener);
      }
    }
  }
}

/**
 * arlocal 1.1.66 internals (private in its typings; the version is pinned): `persist` decides whether
 * start/stop wipe its database, and its logger appends every request to `./logs` in the working directory.
 */
interface ArLocalInternals {
  persist: boolean;
  log: { logInFile(args: unknown): void };
}

/** A fresh database that stop() removes, and no access log written into the working directory. */
function quietArLocal(arlocal: object): void {
  const internals = arlocal as ArLocalInternals;
  if (typeof internals.persist !== "boolean" || typeof internals.log?.logInFile !== "function")
    throw new Error(
      "arweave devnet: this arlocal version is not the one the devnet was written for (1.1.66)",
    );
  internals.persist = false;
  internals.log.logInFile = () => {};
}

type ArLocalClass = typeof import("arlocal")["default"];

/** arlocal is CommonJS with `exports.default`: Node's ESM import wraps it once more, vitest's does not. */
async function loadArLocal(): Promise<ArLocalClass> {
  const loaded: unknown = (await import("arlocal")).default;
  return (
    typeof loaded === "function" ? loaded : (loaded as { default: ArLocalClass }).default
  ) as ArLocalClass;
}

/**
 * arlocal (a local Arweave gateway: transactions, chunks, ANS-104 bundles, GraphQL, wallets) in this
 * process, its data in a temporary directory that stop() removes. arlocal listens on every interface;
 * its server is moved onto loopback before anything is sent to it. The devnet itself talks to it through
 * {@link internalUrl}, unaffected by gateway faults; clients reach it through {@link dispatch}.
 */
export class ArlocalNode {
  readonly internalUrl: string;
  private readonly arlocal: { stop(): Promise<void> };
  private readonly server: Server;
  private readonly root: string;
  private readonly dbPath: string;
  private readonly tracker = new ConnectionTracker();
  private mining: Promise<unknown> = Promise.resolve();

  private constructor(arlocal: { stop(): Promise<void> }, server: Server, root: string, internalUrl: string) {
    this.arlocal = arlocal;
    this.server = server;
    this.root = root;
    this.dbPath = join(root, "db");
    this.internalUrl = internalUrl;
    this.tracker.track(server);
  }

  static async start(): Promise<ArlocalNode> {
    // Loaded on first use, so CLI commands other than `devnet` do not pay for arlocal's modules.
    const ArLocal = await loadArLocal();
    const port = await freePort();
    const root = mkdtempSync(join(tmpdir(), "akash-devnet-arweave-"));
    let arlocal: InstanceType<ArLocalClass>;
    try {
      // Port 0 would mean arlocal's default 1984, which a real arlocal may hold. `persist: true` here only
      // keeps its logger from deleting `./logs` in the working directory; see quietArLocal.
      arlocal = new ArLocal(port, false, join(root, "db"), true);
      quietArLocal(arlocal);
      await withoutNewSignalHandlers(() => arlocal.start());
    } catch (error) {
      rmSync(root, { recursive: true, force: true });
      throw error;
    }
    const server = arlocal.getServer();
    // start() resolves right after calling listen(): the 'listening' callback (a console.log that would
    // corrupt `devnet --json`) and any bind error are still queued, so both can be taken over here.
    server.removeAllListeners("listening");
    server.on("error", () => {});
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const url = `http://${LOOPBACK}:${await listen(server, 0)}`;
    const node = new ArlocalNode(arlocal, server, root, url);
    try {
      await node.waitUntilReady();
    } catch (error) {
      await node.stop();
      throw error;
    }
    return node;
  }

  /** Hands a client's request to arlocal's own handler (Koa), as if it had arrived on arlocal's port. */
  dispatch(req: IncomingMessage, res: ServerResponse): void {
    this.server.emit("request", req, res);
  }

  async info(): Promise<ArweaveBlock> {
    return networkInfoSchema.parse(await this.getJson("/info"));
  }

  async pendingCount(): Promise<number> {
    return z.array(z.string()).parse(await this.getJson("/tx/pending")).length;
  }

  /** Mines one block with every pending transaction; mines never overlap (arlocal's mining is not atomic). */
  mine(): Promise<ArweaveBlock> {
    const run = this.mining.then(async () => networkInfoSchema.parse(await this.getJson("/mine")));
    this.mining = run.catch(() => undefined);
    return run;
  }

  /** Adds `winston` to the address's balance (arlocal's mint route). */
  async mint(address: string, winston: bigint): Promise<void> {
    await this.getJson(`/mint/${address}/${winston}`);
  }

  async stop(): Promise<void> {
    await this.mining;
    await closeServer(this.server, this.tracker);
    // arlocal's stop() closes its database and removes dbPath without waiting: wait for the removal.
    await this.arlocal.stop();
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    // A timer that holds the process open: every server is closed by now, and `devnet` exits when idle.
    while (existsSync(this.dbPath) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    rmSync(this.root, { recursive: true, force: true });
  }

  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let lastError: unknown;
    while (Date.now() < deadline) {
      try {
        await this.info();
        return;
      } catch (error) {
        lastError = error;
        await sleep(50);
      }
    }
    throw new Error(`arweave devnet: arlocal did not answer /info: ${(lastError as Error)?.message}`);
  }

  private async getJson(path: string): Promise<unknown> {
    const response = await fetch(`${this.internalUrl}${path}`);
    const text = await response.text();
    // arlocal answers a route that threw with a bare 404 and logs the error itself.
    if (!response.ok) throw new Error(`arweave devnet: GET ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text);
  }
}
