import type { IncomingMessage } from "node:http";

/** A request body, or `tooLarge` once it passes `maxBytes` (the rest is not kept). */
export type BoundedBody = { readonly tooLarge: false; readonly body: Buffer } | { readonly tooLarge: true };

/**
 * Reads a request body of at most `maxBytes`. A declared Content-Length above the cap is refused before
 * reading; a streamed body stops being kept at the cap (Node discards the rest once the response ends).
 */
export function readBoundedBody(req: IncomingMessage, maxBytes: number): Promise<BoundedBody> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve({ tooLarge: true });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off("data", onData);
        chunks.length = 0;
        resolve({ tooLarge: true });
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolve({ tooLarge: false, body: Buffer.concat(chunks) }));
    req.on("error", reject);
  });
}
