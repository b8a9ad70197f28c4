import type { RecordedEvent } from '../types.js';
import type { ParkedStream } from './parked-streams.js';
import { compareSequenceNumbers } from './stream-records.js';
import type { StreamApplyResult, StreamFailure } from './version-guard.js';

/** What became of one stream of a batch. */
export interface StreamOutcome {
  readonly streamId: string;
  /** Handled events newly processed (for a projection: applied to its active generation). */
  readonly applied: readonly RecordedEvent[];
  /** Sequence number to retry from when the stream must be delivered again. */
  readonly retryFrom?: string;
  readonly failure?: StreamFailure;
  /** The stream's record when it failed, was parked, or waits behind an earlier park. */
  readonly parked?: ParkedStream;
  readonly queued?: boolean;
}

export interface BatchOutcome {
  /** The lowest sequence number that must be delivered again, if any. */
  readonly retryFrom?: string;
  readonly streams: readonly StreamOutcome[];
}

export interface RedriveOutcome {
  readonly streamId: string;
  readonly released: boolean;
  readonly appliedVersion: number;
  readonly failure?: StreamFailure;
}

/** The lowest of some sequence numbers, if any. */
export const lowestSequence = (sequences: readonly (string | undefined)[]): string | undefined =>
  sequences
    .filter((sequence): sequence is string => sequence !== undefined)
    .sort(compareSequenceNumbers)[0];

/** The failure at the lowest version among the guards' results, if any failed. */
export function earliestFailure(results: readonly StreamApplyResult[]): StreamFailure | undefined {
  let earliest: StreamFailure | undefined;
  for (const { failure } of results) {
    if (failure && (!earliest || failure.version < earliest.version)) earliest = failure;
  }
  return earliest;
}
