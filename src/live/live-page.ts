import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { AnyStateMachine, InspectionEvent } from "xstate";
import { createRedactor, type Logger } from "../logging/index.js";
import {
  agentMachine,
  healthMachine,
  keyRotationMachine,
  leaseMachine,
  reproductionMachine,
  treasuryMachine,
} from "../machines/index.js";
import { knownSecretValues } from "../services/keys/index.js";
import { layoutMachineCharts } from "./chart-layout.js";
import { createInspectFrameFeed } from "./inspect-frames.js";
import { createLiveSocket } from "./live-socket.js";
import { renderPageHtml } from "./page-html.js";
import { createPageSummaryTracker } from "./page-summary.js";

export interface LivePage {
  /** Serves GET / (text/html) and its assets; returns false if the request is not its own. */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
  /** Takes the WebSocket upgrade on /live; returns false otherwise. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Feed of the agent system's inspection events (pass to startAgentRuntime's `inspect`). */
  inspect(event: InspectionEvent): void;
  close(): Promise<void>;
}

export interface LivePageOptions {
  /** The /api/status JSON: the same as `status --json`. */
  status: () => unknown;
  logger: Logger;
  /** Secret strings to scrub from frames and status; default: every `Secret` this process holds. */
  secrets?: () => Iterable<string>;
  /** Machines to chart; default: the agent and its five children. */
  machines?: readonly AnyStateMachine[];
  /** Shown in the title bar. */
  title?: string;
}

export const LIVE_PATH = "/live";
export const LIVE_STATUS_PATH = "/live/status";

/** The agent's machines, in the order the page shows them: the lease first, the one people watch. */
export const AGENT_CHARTED_MACHINES: readonly AnyStateMachine[] = [
  leaseMachine,
  agentMachine,
  healthMachine,
  treasuryMachine,
  keyRotationMachine,
  reproductionMachine,
];

function pathOf(req: IncomingMessage): string {
  return new URL(req.url ?? "/", "http://page.invalid").pathname;
}

/** `GET /` with `Accept: application/nostr+json` is the relay's NIP-11 document, not the page. */
function wantsRelayInformation(req: IncomingMessage): boolean {
  return (req.headers.accept ?? "").includes("application/nostr+json");
}

function send(res: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  res.writeHead(status, {
    "content-type": type,
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  res.end(head ? undefined : body);
}

/**
 * The live page (DESIGN §9): `GET /` is one self-contained HTML document (charts as inline SVG, style
 * and script inline: no CDN, works offline), `/live` a WebSocket of @statelyai/inspect frames and
 * `/live/status` the cards' JSON. The charts are laid out once, in a worker thread, on the first visit.
 */
export function createLivePage(options: LivePageOptions): LivePage {
  const { logger } = options;
  const redactor = createRedactor(options.secrets ?? knownSecretValues);
  const feed = createInspectFrameFeed(redactor);
  const summary = createPageSummaryTracker();
  const socket = createLiveSocket(feed, logger);
  const title = options.title ?? "akash-agent";
  let inspectFailed = false;
  const layout = new AbortController();
  let html: Promise<string> | null = null;
  // Laid out on the first visit, not at start: it takes seconds of CPU that an agent nobody watches
  // (a test, a CLI run) should not spend.
  const pageHtml = (): Promise<string> => {
    if (html) return html;
    const started = Date.now();
    html = layoutMachineCharts(options.machines ?? AGENT_CHARTED_MACHINES, layout.signal).then(
      (charts) => {
        logger.debug({ ms: Date.now() - started, charts: charts.length }, "live page charts laid out");
        return renderPageHtml(charts, title);
      },
      (error: unknown) => {
        if (!layout.signal.aborted)
          logger.error({ err: error }, "the live page's charts could not be laid out");
        throw error;
      },
    );
    return html;
  };

  const servePage = (res: ServerResponse, head: boolean) => {
    pageHtml().then(
      (text) => send(res, 200, "text/html; charset=utf-8", text, head),
      () =>
        send(res, 500, "text/plain; charset=utf-8", "the live page's charts could not be laid out\n", head),
    );
  };

  const serveStatus = (res: ServerResponse, head: boolean) => {
    let status: unknown;
    try {
      status = options.status();
    } catch (error) {
      logger.warn({ err: error }, "the live page could not read the agent's status");
      status = null;
    }
    // A JSON round trip first: the redactor takes an object met twice (the lease's `uris` is in both
    // the host's status and the page's lease view) for a cycle and would print "[circular]".
    const plain = JSON.parse(JSON.stringify(summary.summary(status)) ?? "null") as unknown;
    send(res, 200, "application/json", JSON.stringify(redactor.value(plain)), head);
  };

  return {
    handleRequest(req, res) {
      const method = req.method ?? "GET";
      if (method !== "GET" && method !== "HEAD") return false;
      const head = method === "HEAD";
      const path = pathOf(req);
      if (path === "/" && !wantsRelayInformation(req)) {
        servePage(res, head);
        return true;
      }
      if (path === LIVE_STATUS_PATH) {
        serveStatus(res, head);
        return true;
      }
      return false;
    },
    handleUpgrade(req, upgradeSocket, head) {
      if (pathOf(req) !== LIVE_PATH) return false;
      socket.upgrade(req, upgradeSocket, head);
      return true;
    },
    inspect(event) {
      // Runs inside the agent's steps: whatever goes wrong here must not reach the actor system.
      try {
        summary.inspect(event);
        feed.inspect(event);
      } catch (error) {
        if (!inspectFailed) logger.warn({ err: error }, "the live page could not read an inspection event");
        inspectFailed = true;
      }
    },
    close() {
      layout.abort();
      return socket.close();
    },
  };
}
