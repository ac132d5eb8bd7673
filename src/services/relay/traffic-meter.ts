import type {
  ClientContext,
  HandleMessagePlugin,
  HandleMessageResult,
  IncomingMessage,
} from "@nostr-relay/common";

/** The relay's traffic as it measured it. */
export interface RelayTraffic {
  /** Events accepted per second, averaged over the meter's window. */
  readonly eventsPerSecond: number;
  readonly openConnections: number;
  /** Bytes the relay's event store takes on disk. */
  readonly storedBytes: number;
  /** Events accepted since the relay started. */
  readonly eventsAccepted: number;
  /** Events refused (invalid, duplicate, blocked) since the relay started. */
  readonly eventsRefused: number;
}

const SECOND_MS = 1000;

/**
 * Counts the EVENT messages the relay accepts, per second, and gives their rate over the last
 * `windowSeconds` whole seconds. Registered as a relay plugin ahead of the core's own handling.
 */
export class TrafficMeter implements HandleMessagePlugin {
  private readonly buckets: number[];
  private bucketSecond = 0;
  private accepted = 0;
  private refused = 0;

  constructor(
    private readonly now: () => number = Date.now,
    readonly windowSeconds = 10,
  ) {
    this.buckets = new Array<number>(windowSeconds + 1).fill(0);
    this.bucketSecond = Math.floor(now() / SECOND_MS);
  }

  async handleMessage(
    _ctx: ClientContext,
    message: IncomingMessage,
    next: () => Promise<HandleMessageResult>,
  ): Promise<HandleMessageResult> {
    const result = await next();
    if (message[0] === "EVENT" && result?.messageType === "EVENT") {
      if (result.success) this.count();
      else this.refused += 1;
    }
    return result;
  }

  /** Events per second over the last `windowSeconds` complete seconds. */
  eventsPerSecond(): number {
    this.advance();
    const current = this.bucketSecond % this.buckets.length;
    let sum = 0;
    this.buckets.forEach((count, index) => {
      if (index !== current) sum += count;
    });
    return sum / this.windowSeconds;
  }

  get eventsAccepted(): number {
    return this.accepted;
  }

  get eventsRefused(): number {
    return this.refused;
  }

  private count(): void {
    this.advance();
    this.accepted += 1;
    const index = this.bucketSecond % this.buckets.length;
    this.buckets[index] = (this.buckets[index] ?? 0) + 1;
  }

  /** Clears the buckets of the seconds that passed since the last count. */
  private advance(): void {
    const second = Math.floor(this.now() / SECOND_MS);
    const passed = Math.min(second - this.bucketSecond, this.buckets.length);
    for (let step = 1; step <= passed; step += 1) {
      this.buckets[(this.bucketSecond + step) % this.buckets.length] = 0;
    }
    if (second > this.bucketSecond) this.bucketSecond = second;
  }
}
