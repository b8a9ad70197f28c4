import { InvalidEventError } from './errors.js';
import type { CheckedEvent } from './event-items.js';
import type { EventStreamStore } from './event-stream-store.js';
import type { EventMetadata, RecordedEvent } from './types.js';

/**
 * The type of a stream's tombstone: the event that closes a stream for good. It belongs to no
 * context's catalogue; the store writes it (`EventStore.close`) together with a closed head, and
 * every reader knows it: repositories stop at it, HTTP reads of the stream answer 410.
 */
export const TOMBSTONE_TYPE = 'StreamClosed';

export interface TombstoneData {
  /** Why the stream was closed, for the people reading its history later. */
  readonly reason: string;
}

const MAX_REASON_LENGTH = 1000;

/** A stream's tombstone, ready to store. */
export function tombstoneEvent(reason: string, metadata?: EventMetadata): CheckedEvent {
  if (typeof reason !== 'string' || reason.trim() === '' || reason.length > MAX_REASON_LENGTH) {
    throw new InvalidEventError(
      `reason must be a non-empty string of at most ${MAX_REASON_LENGTH} characters`,
      'reason',
    );
  }
  return {
    type: TOMBSTONE_TYPE,
    data: { reason },
    schemaVersion: 1,
    ...(metadata ? { metadata } : {}),
  };
}

export const isTombstone = (event: Pick<RecordedEvent, 'type'>): boolean =>
  event.type === TOMBSTONE_TYPE;

/**
 * The version of the stream's tombstone when the stream is closed: its last event is read (one
 * backward Query).
 */
export async function closedAt(
  store: Pick<EventStreamStore, 'readLatest'>,
  streamId: string,
): Promise<number | undefined> {
  const [last] = await store.readLatest(streamId, 1);
  return last && isTombstone(last) ? last.version : undefined;
}
