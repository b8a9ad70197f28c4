import type { GlobalLogReader, LogReference } from '../../../functions/eventsourcing/global-log';

/** A stream as the global log last saw it. */
export interface StreamSummary {
  readonly streamId: string;
  readonly lastVersion: number;
  readonly lastType: string;
  readonly lastRecordedAt: string;
  /** Global log position of its newest event. */
  readonly position: number;
}

export interface RecentStreamsOptions {
  /** Only streams whose id starts with this. */
  readonly prefix?: string;
  /** At most this many streams (default 20). */
  readonly limit?: number;
  /** Look at most this many of the newest events of the log (default 10,000). */
  readonly scan?: number;
}

const PAGE = 1000;

/**
 * The streams with the newest events, newest first, read backwards from the head of the global
 * log (the events table has no index of streams; the log orders every event).
 */
export async function recentStreams(
  log: GlobalLogReader,
  options: RecentStreamsOptions = {},
): Promise<StreamSummary[]> {
  const limit = options.limit ?? 20;
  const prefix = options.prefix ?? '';
  const { lastPosition } = await log.head();
  const floor = Math.max(0, lastPosition - (options.scan ?? 10_000));
  const found = new Map<string, StreamSummary>();
  for (let end = lastPosition; end > floor && found.size < limit; end -= PAGE) {
    const after = Math.max(floor, end - PAGE);
    const { events } = await log.references({ after, limit: end - after });
    collectNewest(found, events, (reference) => reference.streamId.startsWith(prefix), limit);
  }
  return [...found.values()];
}

/** Adds the streams of `references` not found yet, newest first, up to `limit` streams. */
function collectNewest(
  found: Map<string, StreamSummary>,
  references: readonly LogReference[],
  wanted: (reference: LogReference) => boolean,
  limit: number,
): void {
  for (const reference of [...references].reverse()) {
    if (found.size >= limit) return;
    if (wanted(reference) && !found.has(reference.streamId)) {
      found.set(reference.streamId, summaryOf(reference));
    }
  }
}

const summaryOf = (reference: LogReference): StreamSummary => ({
  streamId: reference.streamId,
  lastVersion: reference.version,
  lastType: reference.type,
  lastRecordedAt: reference.recordedAt,
  position: reference.position,
});
