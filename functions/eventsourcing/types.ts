/** Who and what caused an event; stored with every event. */
export interface EventMetadata {
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly commandId?: string;
  readonly actor?: string;
  /**
   * The X-Ray trace of the invocation that appended the event (when traced): its consumers'
   * segments name it, linking them to the command.
   */
  readonly traceId?: string;
  readonly [key: string]: unknown;
}

/** An event as a decider produces it and as callers hand it to `append`. */
export interface NewEvent<Type extends string = string, Data = Record<string, unknown>> {
  readonly type: Type;
  readonly data: Data;
  /** Schema version of `data`; defaults to 1. */
  readonly schemaVersion?: number;
  readonly metadata?: EventMetadata;
  /** Supplied by callers that need a deterministic id; generated (ULID) otherwise. */
  readonly eventId?: string;
}

/** An event as stored in the events table. */
export interface RecordedEvent<Type extends string = string, Data = Record<string, unknown>> {
  readonly streamId: string;
  readonly version: number;
  readonly eventId: string;
  readonly type: Type;
  readonly schemaVersion: number;
  readonly data: Data;
  readonly metadata: EventMetadata;
  /** ISO-8601 UTC with milliseconds. */
  readonly recordedAt: string;
  /**
   * SHA-256 (hex) of the event as stored, chained to the previous event of its stream
   * (docs/integrity.md); absent for events stored before events were hashed.
   */
  readonly hash?: string;
}

/**
 * - a number: the stream must be exactly at that version (0 = the stream must not exist);
 * - `'no_stream'`: the stream must not exist;
 * - `'stream_exists'`: the stream must have at least one event;
 * - `'any'`: append after whatever the stream holds.
 */
export type ExpectedVersion = number | 'no_stream' | 'stream_exists' | 'any';
