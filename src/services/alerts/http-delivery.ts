import { DeliveryError } from "./alert-channel.js";

export interface PostOptions {
  /** Names the channel in errors; the URL is never named (its path or query may be a secret). */
  readonly channel: string;
  readonly headers?: Record<string, string>;
  readonly body: string;
  readonly timeoutMs: number;
}

/** POSTs `body` and resolves with the response text when it is 2xx; throws a DeliveryError without the URL otherwise. */
export async function postForDelivery(url: string, options: PostOptions): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...options.headers },
      body: options.body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
    const reason =
      error instanceof Error && error.name === "TimeoutError"
        ? `no answer within ${options.timeoutMs} ms`
        : (cause?.code ?? "network error");
    throw new DeliveryError(`${options.channel}: cannot reach the receiver (${reason})`);
  }
  const text = await response.text().catch(() => "");
  if (!response.ok) {
    throw new DeliveryError(
      `${options.channel}: the receiver answered HTTP ${response.status} ${text.slice(0, 200)}`.trim(),
    );
  }
  return text;
}
