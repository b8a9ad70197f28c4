import { EventSourcingError } from '../errors.js';
import type { PageEntry, TypeEntry } from './layout.js';

/** What the log holds at a position: a reference to the event, not the event. */
export interface LogReference {
  readonly position: number;
  readonly streamId: string;
  readonly version: number;
  readonly type: string;
  readonly recordedAt: string;
}

/** What a checkpoint seals of one position: the event there and its hash as the log holds it. */
export interface LeafReference {
  readonly position: number;
  readonly streamId: string;
  readonly version: number;
  /** Absent for an event stored before events were hashed. */
  readonly hash?: string;
}

export interface ReadLogOptions {
  /** Read the positions after this one; 0 (the default) reads from the beginning. */
  readonly after?: number;
  /** At most this many events (default 100, at most 1000). */
  readonly limit?: number;
  /** Only events of these types (all when omitted). */
  readonly types?: readonly string[];
}

export interface LogSlice<Item> {
  readonly events: readonly Item[];
  /**
   * Pass as `after` to read on: everything up to it that matches the read has been returned
   * (beyond the last event returned when a type filter knows no match lies in between).
   */
  readonly next: number;
}

export const MAX_READ_LIMIT = 1000;
const DEFAULT_READ_LIMIT = 100;

/** A read the log cannot answer as asked (bad position, limit or types). */
export class InvalidLogReadError extends EventSourcingError {
  readonly code = 'InvalidLogRead';
  constructor(
    message: string,
    readonly field: 'after' | 'limit' | 'types',
  ) {
    super(message);
    this.name = 'InvalidLogReadError';
  }
}

/** A position of the log refers to an event the events table does not hold. */
export class DanglingLogReferenceError extends EventSourcingError {
  readonly code = 'DanglingLogReference';
  constructor(
    readonly position: number,
    readonly streamId: string,
    readonly version: number,
  ) {
    super(
      `Position ${position} refers to version ${version} of '${streamId}', which the events table does not hold`,
    );
    this.name = 'DanglingLogReferenceError';
  }
}

export const referenceOf = (position: number, entry: PageEntry): LogReference => ({
  position,
  streamId: entry.s,
  version: entry.v,
  type: entry.t,
  recordedAt: entry.r,
});

export const leafOf = (position: number, entry: PageEntry): LeafReference => ({
  position,
  streamId: entry.s,
  version: entry.v,
  ...(entry.h !== undefined ? { hash: entry.h } : {}),
});

export const typeReferenceOf = (type: string, entry: TypeEntry): LogReference => ({
  position: entry.p,
  streamId: entry.s,
  version: entry.v,
  type,
  recordedAt: entry.r,
});

/** The read's options checked, with their defaults. */
export function checkRead(options: ReadLogOptions): {
  after: number;
  limit: number;
  types: readonly string[] | undefined;
} {
  return {
    after: checkAfter(options.after ?? 0),
    limit: checkLimit(options.limit ?? DEFAULT_READ_LIMIT),
    types: checkTypes(options.types),
  };
}

function checkAfter(after: number): number {
  if (!Number.isSafeInteger(after) || after < 0) {
    throw new InvalidLogReadError('after must be a position: a whole number from 0', 'after');
  }
  return after;
}

function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_READ_LIMIT) {
    throw new InvalidLogReadError(
      `limit must be a whole number from 1 to ${MAX_READ_LIMIT}`,
      'limit',
    );
  }
  return limit;
}

function checkTypes(types: readonly string[] | undefined): readonly string[] | undefined {
  if (types === undefined) return undefined;
  if (types.length === 0 || types.some((type) => typeof type !== 'string' || type === '')) {
    throw new InvalidLogReadError('types must name at least one event type', 'types');
  }
  return types;
}
