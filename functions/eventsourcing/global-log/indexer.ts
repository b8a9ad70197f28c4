import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UnexpectedResponseError } from '../errors.js';
import { EventStore } from '../event-store.js';
import type { ReadOptions } from '../event-store-options.js';
import type { RecordedEvent } from '../types.js';
import { EMPTY_HEAD, Epochs, type GlobalLogTables, type LogHead } from './layout.js';
import { LogStore, backoff } from './log-store.js';
import {
  DEFAULT_PAGE_LIMITS,
  planPage,
  type PageLimits,
  type PagePlan,
  type PendingEntry,
} from './page-plan.js';
import { isLostRace } from '../conditional-writes.js';

export interface GlobalLogIndexerOptions {
  readonly client: DynamoDBClient;
  readonly tables: GlobalLogTables;
  /** Must be the same for every indexer and reader of one log, forever. */
  readonly positionsPerEpoch?: number;
  /** Lost page appends (another indexer got there first) tolerated per call before giving up. */
  readonly maxConflicts?: number;
  readonly pageLimits?: PageLimits;
  readonly clock?: () => Date;
}

export interface IndexOutcome {
  /** Events given a position by this call, in log order. */
  readonly indexed: readonly (PendingEntry & { readonly position: number })[];
  /** Streams not (fully) indexed, with the reason: their events must be offered again. */
  readonly failed: ReadonlyMap<string, Error>;
}

const DEFAULT_MAX_CONFLICTS = 50;

interface Ranked {
  readonly entry: PendingEntry;
  readonly rank: number;
}

/**
 * Gives events their positions in the global log.
 *
 * Each call takes events in the order the caller saw them (a stream batch's order), in any
 * order within a stream, with duplicates and holes. Per stream it indexes from the stream's
 * marker + 1 up to the highest version offered, reading versions it was not offered (delivered
 * in another batch, or swapped behind a later one) from the events table, so a stream's events
 * always get positions in version order and none is skipped. Versions at or below the marker
 * are already in the log and are left alone, so a redelivered batch indexes nothing twice.
 *
 * Pages are appended one transaction at a time (see `LogStore.append`). When another indexer
 * appended first, the head and markers are read again and the remaining events planned anew.
 */
export class GlobalLogIndexer {
  readonly client: DynamoDBClient;
  readonly store: LogStore;
  readonly epochs: Epochs;
  private readonly events: EventStore;
  private readonly maxConflicts: number;
  private readonly pageLimits: PageLimits;
  private readonly clock: () => Date;

  constructor(options: GlobalLogIndexerOptions) {
    this.client = options.client;
    this.store = new LogStore(options.client, options.tables.globalLog);
    this.epochs = new Epochs(options.positionsPerEpoch);
    // Indexing needs each event's type and time, which upcasting never changes.
    this.events = new EventStore({ client: options.client, tableName: options.tables.events });
    this.maxConflicts = options.maxConflicts ?? DEFAULT_MAX_CONFLICTS;
    this.pageLimits = options.pageLimits ?? DEFAULT_PAGE_LIMITS;
    this.clock = options.clock ?? (() => new Date());
  }

  async index(events: readonly RecordedEvent[]): Promise<IndexOutcome> {
    const offered = offeredByStream(events);
    const failed = new Map<string, Error>();
    const indexed: (PendingEntry & { position: number })[] = [];
    let markers = await this.store.markers([...offered.keys()]);
    let queue = await this.queue(offered, markers, failed);
    // A batch delivered again finds everything indexed and never reads the head.
    let head: LogHead = queue.length > 0 ? await this.store.head() : EMPTY_HEAD;
    let conflicts = 0;
    while (queue.length > 0) {
      const plan = planPage({ head, queue, markers, epochs: this.epochs, limits: this.pageLimits });
      if (!plan) break;
      try {
        await this.store.append(plan, this.clock().toISOString());
      } catch (error) {
        const lost = isLostRace(error);
        if (!lost || ++conflicts > this.maxConflicts) {
          failStreams(failed, queue, error as Error);
          break;
        }
        await backoff(conflicts);
        const streamIds = [...new Set(queue.map((entry) => entry.streamId))];
        [markers, head] = await Promise.all([this.store.markers(streamIds), this.store.head()]);
        queue = queue.filter((entry) => entry.version > (markers.get(entry.streamId) ?? 0));
        continue;
      }
      indexed.push(...indexedOf(plan));
      markers = new Map(markers);
      for (const { streamId, to } of plan.markers) markers.set(streamId, to);
      head = plan.headAfter;
      queue = queue.slice(plan.entries.length);
    }
    return { indexed, failed };
  }

  /**
   * Indexes a stream from its marker to its end, read from the events table (a redrive). Returns
   * the stream's last indexed version, or why it could not index the rest.
   */
  async indexStream(streamId: string): Promise<{ indexedUpTo: number; error?: Error }> {
    const marker = (await this.store.markers([streamId])).get(streamId) ?? 0;
    let tail: RecordedEvent[];
    try {
      tail = await this.readStored(streamId, { fromVersion: marker + 1 });
    } catch (error) {
      return { indexedUpTo: marker, error: error as Error };
    }
    if (tail.length === 0) return { indexedUpTo: marker };
    const { failed } = await this.index(tail);
    const error = failed.get(streamId);
    if (!error) return { indexedUpTo: tail.at(-1)!.version };
    const indexedUpTo = (await this.store.markers([streamId])).get(streamId) ?? 0;
    return { indexedUpTo, error };
  }

  /** Events of a stream as stored: the log keeps types and times, which any item has. */
  private async readStored(streamId: string, range: ReadOptions): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    for await (const { event } of this.events.iterateItems(streamId, range)) events.push(event);
    return events;
  }

  /**
   * Every stream's events from its marker + 1 to the highest version offered, holes read from
   * the events table, in one list ordered for the log. An event's rank is the lowest rank of
   * itself and the stream's later offered events (it happened before them), so sorting by rank
   * keeps every stream in version order while following the order the events were seen in.
   */
  private async queue(
    offered: ReadonlyMap<string, ReadonlyMap<number, Ranked>>,
    markers: ReadonlyMap<string, number>,
    failed: Map<string, Error>,
  ): Promise<PendingEntry[]> {
    const ranked: { entry: PendingEntry; rank: number }[] = [];
    await Promise.all(
      [...offered].map(async ([streamId, versions]) => {
        const from = (markers.get(streamId) ?? 0) + 1;
        const to = Math.max(...versions.keys());
        if (to < from) return;
        let stream: (Ranked | undefined)[] = [];
        for (let version = from; version <= to; version++) stream.push(versions.get(version));
        if (stream.some((known) => known === undefined)) {
          try {
            const stored = await this.readStored(streamId, { fromVersion: from, toVersion: to });
            if (stored.length !== to - from + 1) {
              // Not a hole (that is a StreamGapError, and parks the stream): retried with the batch.
              throw new UnexpectedResponseError(
                'DynamoDB',
                `Stream '${streamId}' holds ${stored.length} of versions ${from} to ${to}`,
              );
            }
            stream = stream.map(
              (known, index) => known ?? { entry: pendingOf(stored[index]!), rank: Infinity },
            );
          } catch (error) {
            failed.set(streamId, error as Error);
            return;
          }
        }
        let rank = Infinity;
        for (let index = stream.length - 1; index >= 0; index--) {
          rank = Math.min(rank, stream[index]!.rank);
          ranked.push({ entry: stream[index]!.entry, rank });
        }
      }),
    );
    return ranked
      .sort(
        (a, b) =>
          a.rank - b.rank ||
          (a.entry.streamId < b.entry.streamId
            ? -1
            : a.entry.streamId > b.entry.streamId
              ? 1
              : 0) ||
          a.entry.version - b.entry.version,
      )
      .map(({ entry }) => entry);
  }
}

const pendingOf = (event: RecordedEvent): PendingEntry => ({
  streamId: event.streamId,
  version: event.version,
  type: event.type,
  recordedAt: event.recordedAt,
  ...(event.hash !== undefined ? { hash: event.hash } : {}),
});

/** Every stream with events in `queue` failed with `error`: its events must be offered again. */
function failStreams(
  failed: Map<string, Error>,
  queue: readonly PendingEntry[],
  error: Error,
): void {
  for (const { streamId } of queue) failed.set(streamId, error);
}

/** The events a committed page gave positions to, in log order. */
function indexedOf(plan: PagePlan): (PendingEntry & { position: number })[] {
  return plan.entries.map((entry, index) => ({
    streamId: entry.s,
    version: entry.v,
    type: entry.t,
    recordedAt: entry.r,
    ...(entry.h !== undefined ? { hash: entry.h } : {}),
    position: plan.firstPosition + index,
  }));
}

/** Per stream, each offered version once, ranked by where it was first offered. */
function offeredByStream(events: readonly RecordedEvent[]): Map<string, Map<number, Ranked>> {
  const byStream = new Map<string, Map<number, Ranked>>();
  events.forEach((event, rank) => {
    const versions = byStream.get(event.streamId) ?? new Map<number, Ranked>();
    if (!versions.has(event.version))
      versions.set(event.version, { entry: pendingOf(event), rank });
    byStream.set(event.streamId, versions);
  });
  return byStream;
}
