/** ABCI events as CometBFT 0.38 reports them: string attributes, all indexed. */
export interface AbciEventAttribute {
  readonly key: string;
  readonly value: string;
  readonly index: boolean;
}

export interface AbciEvent {
  readonly type: string;
  readonly attributes: readonly AbciEventAttribute[];
}

/** The subset of a chain-sdk codec needed to emit a typed event. */
export interface TypedEventCodec<T> {
  readonly $type: string;
  fromPartial(object: never): T;
  toJSON(message: T): unknown;
}

const camelToSnake = (key: string) => key.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);

function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [camelToSnake(k), snakeKeys(v)]));
  }
  return value;
}

export class EventCollector {
  readonly events: AbciEvent[] = [];

  emit(type: string, attributes: Record<string, string>): void {
    this.events.push({
      type,
      attributes: Object.entries(attributes).map(([key, value]) => ({ key, value, index: true })),
    });
  }

  /**
   * sdk.TypedEventToEvent: the event type is the proto full name and each top-level field becomes an
   * attribute whose value is the field's JSON (original proto field names).
   */
  emitTyped<T>(codec: TypedEventCodec<T>, message: T, msgIndex?: number): void {
    const json = snakeKeys(codec.toJSON(message)) as Record<string, unknown>;
    const attributes: Record<string, string> = {};
    for (const [key, value] of Object.entries(json)) attributes[key] = JSON.stringify(value);
    if (msgIndex !== undefined) attributes.msg_index = String(msgIndex);
    this.emit(codec.$type, attributes);
  }

  append(other: EventCollector): void {
    this.events.push(...other.events);
  }
}
