import { createHmac, timingSafeEqual } from "node:crypto";

/** Header with `sha256=<hex>`: HMAC-SHA256 under the shared secret of `<timestamp>.<raw body>`. */
export const SIGNATURE_HEADER = "x-agent-signature";
/** Header with the Unix time in seconds the signature was made at (a receiver refuses old ones). */
export const TIMESTAMP_HEADER = "x-agent-timestamp";

export function webhookSignature(secret: string, timestamp: number, rawBody: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${rawBody}`).digest("hex")}`;
}

/** What a receiver does: recompute and compare in constant time. */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | number,
  rawBody: string,
  signature: string,
): boolean {
  const expected = Buffer.from(webhookSignature(secret, Number(timestamp), rawBody));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
