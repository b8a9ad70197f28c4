import type { RecordedEvent } from './types.js';

/**
 * Read-model tables are keyed by `pk` (S) and `sk` (S). Items a projection writes are its own;
 * the runtime keeps its bookkeeping (the applied version per source stream) in the same table
 * under keys starting with `$`, which projections must not use.
 */
export type ReadModelKey = { readonly pk: string; readonly sk: string };

export type ReadModelItem = ReadModelKey & Readonly<Record<string, unknown>>;

/** One change to the read model; the runtime commits all of an event's changes atomically. */
export type ReadModelWrite =
  | { readonly put: ReadModelItem }
  | {
      readonly update: {
        readonly key: ReadModelKey;
        readonly updateExpression: string;
        readonly names?: Readonly<Record<string, string>>;
        readonly values?: Readonly<Record<string, unknown>>;
      };
    }
  | { readonly delete: ReadModelKey };

export interface ProjectionContext {
  /** Consistent read of one item of this projection's read model. */
  get(key: ReadModelKey): Promise<ReadModelItem | undefined>;
}

/**
 * A read model fed by the events stream. The runtime delivers each stream's events once and in
 * version order (duplicates and out-of-order deliveries are absorbed by its version guard), so
 * `apply` only says how one event changes the read model.
 */
export interface Projection<Event extends RecordedEvent = RecordedEvent> {
  /** Stable name: part of the bookkeeping keys, metrics and parked-stream records. */
  readonly name: string;
  /** What its read model holds: the description its consumer is declared with. */
  readonly description?: string;
  /** Logical name of the read-model table it writes (its declared key). */
  readonly readModel: string;
  /** Event types it reacts to; other events only advance its applied version. */
  readonly handles: readonly Event['type'][];
  apply(event: Event, context: ProjectionContext): Promise<readonly ReadModelWrite[]>;
}
