import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { LivePage } from "../src/live/index.js";

/** Debian's chromium package (DESIGN §9): playwright-core drives it, no browser is downloaded. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** The browser's path; throws a message that says how to install chromium when it is missing. */
export function requireChromium(path: string = CHROMIUM_PATH): string {
  if (!existsSync(path)) {
    throw new Error(
      `the browser tests need Debian's chromium at ${path}: install it with \`sudo apt-get install -y chromium\` (or \`apt-get install -y chromium\` as root); .ci/run does this in CI`,
    );
  }
  return path;
}

export interface LivePageServer {
  url: string;
  close(): Promise<void>;
}

/**
 * A loopback HTTP server that mounts the live page the way the agent's own server does: requests
 * and upgrades it does not take get 404 / a closed socket.
 */
export async function serveLivePage(page: LivePage): Promise<LivePageServer> {
  const server: Server = createServer((req, res) => {
    if (!page.handleRequest(req, res)) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found\n");
    }
  });
  server.on("upgrade", (req, socket, head) => {
    if (!page.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await page.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
