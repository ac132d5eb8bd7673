import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { ElkNode } from "elkjs/lib/elk-api.js";

// elk's bundled build lays out in the calling thread (the lease chart takes seconds): run it in a
// worker thread so the agent's event loop (chain polls, health probes, this page's socket) never stalls.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const ELK = require(workerData.elkPath);
const elk = new ELK();
(async () => {
  const results = [];
  for (const graph of workerData.graphs) results.push(await elk.layout(graph));
  return results;
})().then(
  (graphs) => parentPort.postMessage({ graphs }),
  (error) => parentPort.postMessage({ error: String(error && error.message ? error.message : error) }),
);
`;

const elkPath = createRequire(import.meta.url).resolve("elkjs/lib/elk.bundled.js");

/**
 * Lays out each elk graph with `elkjs/lib/elk.bundled.js` in a short-lived worker thread. The worker
 * does not keep the process alive, and `signal` stops it (the promise then rejects).
 */
export function layoutInWorker(graphs: ElkNode[], signal?: AbortSignal): Promise<ElkNode[]> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error("the chart layout was cancelled"));
      return;
    }
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { elkPath, graphs } });
    worker.unref();
    let settled = false;
    signal?.addEventListener(
      "abort",
      () => {
        if (settled) return;
        settled = true;
        reject(new Error("the chart layout was cancelled"));
        void worker.terminate();
      },
      { once: true },
    );
    worker.once("message", (message: { graphs?: ElkNode[]; error?: string }) => {
      if (settled) return;
      settled = true;
      if (message.graphs) resolve(message.graphs);
      else reject(new Error(`elk could not lay out the charts: ${message.error ?? "no result"}`));
      void worker.terminate();
    });
    worker.once("error", (error) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
    worker.once("exit", (code) => {
      if (!settled) reject(new Error(`the chart layout worker exited with code ${code} before answering`));
    });
  });
}
