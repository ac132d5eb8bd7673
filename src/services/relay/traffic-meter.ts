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
  /**
   * Events accepted since the relay started, by kind (the specialization trigger reads the share of
   * video kinds). Kinds past the first MAX_KINDS seen count under "other".
   */
  readonly eventsByKind: Readonly<Record<string, number>>;
}

const SECOND_MS = 1000;
/** Distinct kinds tallied one by one: a client inventing kinds cannot grow the tally without bound. */
const MAX_KINDS = 256;
const OTHER_KINDS = "other";

function kindOf(message: IncomingMessage): string | null {
  const event = message[1] as { kind?: unknown } | undefined;
  return typeof event?.kind === "number" && Number.isSafeInteger(event.kind) ? String(event.kind) : null;
}

/**
 * Counts the EVENT messages the relay accepts, per second, and gives their rate over the last
 * `windowSeconds` whole seconds. Registered as a relay plugin ahead of the core's own handling.
 */
export class TrafficMeter implements HandleMessagePlugin {
  private readonly buckets: number[];
  private bucketSecond = 0;
  private accepted = 0;
  private refused = 0;
  private readonly byKind = new Map<string, number>();

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
      if (result.success) this.count(kindOf(message));
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

  get eventsByKind(): Record<string, number> {
    return Object.fromEntries(this.byKind);
  }

  private count(kind: string | null): void {
    this.advance();
    this.accepted += 1;
    if (kind !== null) {
      const tally = this.byKind.has(kind) || this.byKind.size < MAX_KINDS ? kind : OTHER_KINDS;
      this.byKind.set(tally, (this.byKind.get(tally) ?? 0) + 1);
    }
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
