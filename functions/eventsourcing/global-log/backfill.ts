import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { isEventItem, readEventItem } from '../event-items.js';
import type { GlobalLogIndexer } from './indexer.js';

export interface BackfillProgress {
  /** Event items of the events table read so far. */
  readonly scanned: number;
  /** Events this backfill gave a position to (the others were in the log already). */
  readonly indexed: number;
  /** Streams it could not index (they are tried again by the next run). */
  readonly failedStreams: number;
}

export interface BackfillOptions {
  /** Items per scan page (default 500). */
  readonly pageSize?: number;
  readonly onProgress?: (progress: BackfillProgress) => void;
  readonly signal?: AbortSignal;
}

/**
 * Gives a position to every event of the events table that the log does not hold yet: events
 * older than the log (a table whose stream records expired before the indexer ran), or events
 * whose records were given up on. It scans the table and hands each page to the indexer,
 * oldest `recordedAt` first; the indexer takes each stream from its marker in version order,
 * reading what the page lacks from the table, so history gets positions stream by stream, in
 * order, and nothing twice. It is safe while the stream indexer runs, and running it again
 * indexes nothing new.
 */
export async function backfillGlobalLog(
  indexer: GlobalLogIndexer,
  eventsTable: string,
  options: BackfillOptions = {},
): Promise<BackfillProgress> {
  let progress: BackfillProgress = { scanned: 0, indexed: 0, failedStreams: 0 };
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    if (options.signal?.aborted) break;
    const page = await indexer.client.send(
      new ScanCommand({
        TableName: eventsTable,
        Limit: options.pageSize ?? 500,
        ExclusiveStartKey: startKey,
      }),
    );
    const events = (page.Items ?? [])
      .filter(isEventItem)
      // The log keeps keys, types and times: an event whose data cannot be read still gets one.
      .map((item) => readEventItem(item).event)
      .sort((a, b) => (a.recordedAt < b.recordedAt ? -1 : a.recordedAt > b.recordedAt ? 1 : 0));
    const outcome = await indexer.index(events);
    progress = {
      scanned: progress.scanned + events.length,
      indexed: progress.indexed + outcome.indexed.length,
      failedStreams: progress.failedStreams + outcome.failed.size,
    };
    options.onProgress?.(progress);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return progress;
}
