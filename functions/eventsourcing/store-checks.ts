// Checks the in-memory store shares with the DynamoDB one: the same input gets the same error.
import { InvalidEventError, TooManyEventsError } from './errors.js';
import type { EventCatalogue } from './event-catalogue.js';
import type { CheckedEvent } from './event-items.js';
import type { ReadOptions, StreamAppend } from './event-store-options.js';
import {
  MAX_EVENTS_PER_APPEND,
  MAX_TRANSACTION_ACTIONS,
  validateExpectedVersion,
  validateNewEvents,
  validateStreamId,
} from './event-validation.js';
import { tombstoneEvent } from './tombstones.js';
import type { ExpectedVersion, NewEvent, RecordedEvent } from './types.js';

/** Refuses an append of no events or of more than one transaction holds. */
export function validateEventCount(events: readonly NewEvent[]): void {
  if (!Array.isArray(events) || events.length === 0) {
    throw new InvalidEventError('append needs at least one event', 'events');
  }
  if (events.length > MAX_EVENTS_PER_APPEND) {
    throw new TooManyEventsError(events.length, MAX_EVENTS_PER_APPEND);
  }
}

/** Checks a single-stream append before any I/O and returns its events as the catalogue stores them. */
export function checkAppend(
  catalogue: EventCatalogue<RecordedEvent> | undefined,
  streamId: string,
  events: readonly NewEvent[],
  expectedVersion: ExpectedVersion,
): CheckedEvent[] {
  validateStreamId(streamId);
  validateExpectedVersion(expectedVersion);
  validateEventCount(events);
  return checkNewEvents(catalogue, events);
}

/** When appended events are recorded: now, or `notBefore` when that is later. */
export const recordedAtOf = (now: string, notBefore: string | undefined): string =>
  notBefore && notBefore > now ? notBefore : now;

/** The read limit as a number: `Infinity` when none is given. */
function readLimit(limit: number | undefined): number {
  const value = limit ?? Infinity;
  if (!(value === Infinity || (Number.isSafeInteger(value) && value >= 0))) {
    throw new InvalidEventError('limit must be a non-negative integer', 'limit');
  }
  return value;
}

/** The highest version a sort key can hold. */
export const SORT_KEY_MAX = Number.MAX_SAFE_INTEGER;

/** Which events of a stream to read, and in which order. */
export interface VersionRange {
  readonly from: number;
  readonly to: number;
  readonly forward: boolean;
  /** Maximum number of events (Infinity for all). */
  readonly limit: number;
}

/** The range that read options ask for. */
export function rangeOf(options: ReadOptions): VersionRange {
  return {
    from: Math.max(1, options.fromVersion ?? 1),
    to: Math.min(SORT_KEY_MAX, options.toVersion ?? SORT_KEY_MAX),
    forward: (options.direction ?? 'forward') === 'forward',
    limit: readLimit(options.limit),
  };
}

/**
 * Checks a multi-stream append before any I/O (each stream once, at an exact expected version,
 * with events; at most 100 events and heads in all: one head per stream) and returns each stream's events as `check` returns
 * them.
 */
export function checkStreamAppends(
  appends: readonly StreamAppend[],
  check: (events: readonly NewEvent[]) => CheckedEvent[],
): Map<string, CheckedEvent[]> {
  if (appends.length === 0) {
    throw new InvalidEventError('appendToStreams needs at least one stream', 'appends');
  }
  const total = appends.reduce((sum, a) => sum + a.events.length, 0);
  const limit = MAX_TRANSACTION_ACTIONS - appends.length;
  if (total > limit) throw new TooManyEventsError(total, limit);
  const checked = new Map<string, CheckedEvent[]>();
  for (const { streamId, events, expectedVersion } of appends) {
    validateStreamId(streamId);
    validateExpectedVersion(expectedVersion);
    if (typeof expectedVersion !== 'number' && expectedVersion !== 'no_stream') {
      throw new InvalidEventError(
        "each stream needs an exact expectedVersion or 'no_stream'",
        'expectedVersion',
      );
    }
    if (checked.has(streamId)) {
      throw new InvalidEventError(`stream '${streamId}' appears twice`, 'streamId');
    }
    if (events.length === 0) {
      throw new InvalidEventError(`no events for stream '${streamId}'`, 'events');
    }
    checked.set(streamId, check(events));
  }
  return checked;
}

/** New events checked against the catalogue, before any I/O: invalid ones write nothing. */
export function checkNewEvents(
  catalogue: EventCatalogue<RecordedEvent> | undefined,
  events: readonly NewEvent[],
): CheckedEvent[] {
  validateNewEvents(events);
  if (!catalogue) {
    throw new InvalidEventError(
      'This event store has no event catalogue, so it cannot append',
      'catalogue',
    );
  }
  return events.map((event, index) => ({ ...event, ...catalogue.toStore(event, index) }));
}

/**
 * Checks a closing before any I/O and returns the tombstone to append: a stream that exists
 * (not `no_stream`), at a valid expected version, closed for a reason.
 */
export function checkClose(
  streamId: string,
  reason: string,
  expectedVersion: ExpectedVersion,
): CheckedEvent[] {
  validateStreamId(streamId);
  validateExpectedVersion(expectedVersion);
  if (expectedVersion === 'no_stream') {
    throw new InvalidEventError('only a stream that exists can be closed', 'expectedVersion');
  }
  return [tombstoneEvent(reason)];
}
