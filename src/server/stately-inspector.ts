import type { InspectionEvent } from "xstate";
import { UsageError } from "../errors.js";
import type { Logger } from "../logging/index.js";

/** A running `--inspect` target: feed it the agent system's inspection events. */
export interface StatelyInspection {
  inspect(event: InspectionEvent): void;
  stop(): void;
}

/** What `--inspect` takes: `sky` or a `ws://` / `wss://` URL of a @statelyai/inspect WebSocket server. */
export function parseInspectTarget(value: string): { kind: "sky" } | { kind: "ws"; url: string } {
  if (value === "sky") return { kind: "sky" };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--inspect ${value}: use \`sky\` or a ws://HOST:PORT URL`);
  }
  if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    throw new UsageError(`--inspect ${value}: the URL must start with ws:// or wss:// (or use \`sky\`)`);
  }
  return { kind: "ws", url: value };
}

/**
 * Starts the Stately inspector `--inspect` names. `sky` needs stately.ai: the library prints the
 * session link once connected; a connection error logs one warning line and the agent keeps running.
 * Loaded on demand, so runs without `--inspect` never load the library.
 */
export async function startStatelyInspection(value: string, logger: Logger): Promise<StatelyInspection> {
  const target = parseInspectTarget(value);
  const { createSkyInspector, createWebSocketInspector } = await import("@statelyai/inspect");
  let warned = false;
  const warnOnce = (error: unknown) => {
    if (warned) return;
    warned = true;
    const reason = error instanceof Error ? error.message : "connection failed";
    logger.warn(
      `--inspect ${value}: cannot reach the inspector (${reason || "no connection"}); the agent keeps running without it`,
    );
  };
  const inspector =
    target.kind === "sky"
      ? createSkyInspector({ onerror: warnOnce })
      : createWebSocketInspector({ url: target.url });
  if (target.kind === "ws") logger.info(`--inspect: sending the agent's inspection stream to ${target.url}`);
  return {
    inspect: (event) => {
      try {
        inspector.inspect.next?.(event);
      } catch (error) {
        warnOnce(error);
      }
    },
    stop: () => inspector.stop(),
  };
}
