/** One endpoint of a failover set: where it is, and the client that talks to it. */
export interface FailoverEndpoint<C> {
  readonly url: string;
  readonly client: C;
}

export interface EndpointFailoverOptions<C> {
  /** Whether an error means the endpoint could not be reached, rather than that it answered. */
  isUnreachable(error: unknown): boolean;
  /**
   * Checks a candidate before the set switches to it; throws (with the reason) when it must not be
   * used: another chain, or behind what was already read, so nothing is decided on stale state.
   */
  admit?(endpoint: FailoverEndpoint<C>): Promise<void>;
  /** Told of every switch, for the log. */
  onSwitch?(from: string, to: string, why: unknown): void;
}

/**
 * A primary endpoint and its fallbacks (DESIGN: network partition). Calls go to the current one;
 * when it cannot be reached, the others are tried in order, each admitted first, and the first that
 * answers becomes current. Answers (rejections, not-found) are never retried elsewhere.
 */
export class EndpointFailover<C> {
  private index = 0;

  constructor(
    private readonly endpoints: readonly FailoverEndpoint<C>[],
    private readonly options: EndpointFailoverOptions<C>,
  ) {
    if (endpoints.length === 0) throw new Error("an endpoint failover needs at least one endpoint");
  }

  get current(): FailoverEndpoint<C> {
    return this.endpoints[this.index]!;
  }

  get all(): readonly FailoverEndpoint<C>[] {
    return this.endpoints;
  }

  async call<R>(fn: (client: C) => Promise<R>): Promise<R> {
    const first = this.index;
    let lastError: unknown;
    for (let tried = 0; tried < this.endpoints.length; tried += 1) {
      const index = (first + tried) % this.endpoints.length;
      const endpoint = this.endpoints[index]!;
      if (index !== this.index) {
        try {
          await this.options.admit?.(endpoint);
        } catch (refusal) {
          lastError = refusal;
          continue;
        }
        this.options.onSwitch?.(this.current.url, endpoint.url, lastError);
        this.index = index;
      }
      try {
        return await fn(endpoint.client);
      } catch (error) {
        if (!this.options.isUnreachable(error)) throw error;
        lastError = error;
      }
    }
    throw lastError;
  }
}

/** The highest block height read from the chain so far: a fallback behind it would serve stale state. */
export class HeightWatermark {
  private seen = 0;

  get height(): number {
    return this.seen;
  }

  note(height: number): void {
    if (Number.isSafeInteger(height) && height > this.seen) this.seen = height;
  }
}
