import { createHash } from "node:crypto";
import { finalizeEvent } from "nostr-tools/pure";
import { HTTP_AUTH_KIND } from "../../server/nip98-auth.js";
import type { Secret } from "../keys/index.js";

/**
 * `Authorization: Nostr <base64 event>` for a POST of `body` to `url` (NIP-98: kind 27235, `u`,
 * `method` and `payload` tags). What nostr-tools' `getToken` makes, built here over the body's bytes
 * with Node's native sha256: `getToken` serialises the payload again and hashes it in JavaScript,
 * seconds for an activation package of tens of MiB.
 */
export function nip98Authorization(
  url: string,
  body: Uint8Array,
  privateKey: Secret<Uint8Array>,
  createdAtSeconds = Math.floor(Date.now() / 1000),
): string {
  const event = finalizeEvent(
    {
      kind: HTTP_AUTH_KIND,
      created_at: createdAtSeconds,
      tags: [
        ["u", url],
        ["method", "POST"],
        ["payload", createHash("sha256").update(body).digest("hex")],
      ],
      content: "",
    },
    privateKey.reveal(),
  );
  return `Nostr ${Buffer.from(JSON.stringify(event)).toString("base64")}`;
}
