import type { ChainState } from "./chain-state.js";
import type { EventCollector } from "./events.js";

/** The parts of a chain-sdk (ts-proto) message codec the chain uses. */
export interface MessageCodec<T> {
  readonly $type: string;
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
  fromPartial(object: never): T;
  toJSON(message: T): unknown;
}

export interface MsgContext {
  readonly state: ChainState;
  readonly height: bigint;
  readonly time: Date;
  readonly events: EventCollector;
  readonly msgIndex: number;
}

export interface EncodedAny {
  readonly typeUrl: string;
  readonly value: Uint8Array;
}

/** A message type the chain executes: decoding, its signer, stateless checks and the state transition. */
export interface MsgHandler {
  readonly typeUrl: string;
  /** Module name reported in the `message` event. */
  readonly module: string;
  /** Gas charged for executing the message (on top of the per-tx costs). */
  readonly gas: number;
  decode(value: Uint8Array): unknown;
  signer(message: unknown): string;
  validateBasic(message: unknown): void;
  execute(ctx: MsgContext, message: unknown): EncodedAny;
}

export interface HandlerDefinition<T, R> {
  readonly codec: MessageCodec<T>;
  readonly responseCodec: MessageCodec<R>;
  readonly module: string;
  readonly gas: number;
  signer(message: T): string;
  validateBasic?(message: T): void;
  execute(ctx: MsgContext, message: T): R;
}

export function defineHandler<T, R>(definition: HandlerDefinition<T, R>): MsgHandler {
  return {
    typeUrl: `/${definition.codec.$type}`,
    module: definition.module,
    gas: definition.gas,
    decode: (value) => definition.codec.decode(value),
    signer: (message) => definition.signer(message as T),
    validateBasic: (message) => definition.validateBasic?.(message as T),
    execute: (ctx, message) => ({
      typeUrl: `/${definition.responseCodec.$type}`,
      value: definition.responseCodec.encode(definition.execute(ctx, message as T)).finish(),
    }),
  };
}

/** Builds a response message from a codec and a partial (ts-proto fromPartial accepts any deep partial). */
export function partial<T>(codec: MessageCodec<T>, object: unknown): T {
  return codec.fromPartial(object as never);
}
