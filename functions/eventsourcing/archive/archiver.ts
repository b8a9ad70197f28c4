import {
  DeleteItemCommand,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { isConditionalCheckFailed } from '../conditional-writes.js';
import { mapConcurrently } from '../consumers/concurrency.js';
import { StreamGapError } from '../errors.js';
import { StoredEventItems } from '../integrity/stored-items.js';
import { SealRecords } from '../integrity/seal-records.js';
import { logger } from '../logger.js';
import { archiveMarkItem, headItem, type StreamHead } from '../stream-head-items.js';
import { StreamHeads } from '../stream-heads.js';
import { ArchivedEvents } from './archived-events.js';
import { scanStreams } from './head-scan.js';
import type { EventArchive } from './event-archive.js';
import { dueReason, type RetentionRule } from './retention.js';
import { sameItems, type SegmentRange, type StoredItem } from './segments.js';

export interface StreamArchiverOptions {
  readonly client: DynamoDBClient;
  readonly tables: { readonly events: string; readonly seals: string };
  readonly archive: EventArchive;
  /** The contexts' retention rules; a stream no rule makes due stays (unless tombstoned). */
  readonly rules: readonly RetentionRule[];
  readonly clock?: () => Date;
  /** Streams archived side by side. */
  readonly concurrency?: number;
  readonly log?: Pick<typeof logger, 'info' | 'warn' | 'error'>;
}

/** What archiving one stream did. */
export interface ArchivedStream {
  readonly streamId: string;
  readonly reason: string;
  /** The versions moved to the archive in this run (none when it had nothing new to move). */
  readonly moved?: SegmentRange;
  /** Event items removed from the table: this run's, and any a crashed run left. */
  readonly removed: number;
}

export interface ArchiveRun {
  readonly streams: readonly ArchivedStream[];
  readonly events: number;
}

/** Deletes an item only while it holds what was archived: its hash (its id, if unhashed). */
const deleteCondition = (
  item: StoredItem,
): { ConditionExpression: string; ExpressionAttributeValues: Record<string, AttributeValue> } =>
  item.h?.S !== undefined
    ? { ConditionExpression: 'h = :h', ExpressionAttributeValues: { ':h': item.h } }
    : { ConditionExpression: 'eventId = :id', ExpressionAttributeValues: { ':id': item.eventId! } };

/** The head of a stream whose last event is `last`. */
function headOf(streamId: string, last: StoredItem): StreamHead {
  const hash = last.h?.S;
  return {
    streamId,
    last: Number(last.version!.N),
    lastType: last.type?.S ?? '',
    lastAt: last.at?.S ?? last.recordedAt?.S ?? '',
    ...(hash === undefined ? {} : { hash }),
  };
}

/**
 * Moves the events of aged streams to the archive bucket and removes them from the events table,
 * so that a crash at any instant loses nothing and duplicates nothing, and a run resumes where a
 * crashed one stopped. For each stream:
 *
 * 1. its head exists (created from its last event for a stream written before heads): appends
 *    are conditional on it, so none can land in the archived range once its items are gone;
 * 2. the versions a signed checkpoint covers, all but the last (which stays in the table, so a
 *    stream's existence and head are answered there), are written to S3 as one segment
 *    (`If-None-Match`; a segment a crashed run wrote is found, checked and kept);
 * 3. the archive mark moves forward to the segment's last version: from then on readers take
 *    those versions from S3;
 * 4. the items are deleted, each only if it still holds the bytes archived (its hash).
 *
 * A run that finds items at or below the mark (a crash between 3 and 4) deletes them first,
 * again only where the archive holds the same bytes.
 */
export class StreamArchiver {
  private readonly items: StoredEventItems;
  private readonly heads: StreamHeads;
  private readonly archived: ArchivedEvents;
  private readonly seals: SealRecords;
  private readonly clock: () => Date;
  private readonly log: Pick<typeof logger, 'info' | 'warn' | 'error'>;

  constructor(private readonly options: StreamArchiverOptions) {
    const { client, tables } = options;
    this.items = new StoredEventItems(client, tables.events);
    this.heads = new StreamHeads(client, tables.events);
    this.archived = new ArchivedEvents(client, tables.events, () =>
      Promise.resolve(options.archive),
    );
    this.seals = new SealRecords(client, tables.seals);
    this.clock = options.clock ?? (() => new Date());
    this.log = options.log ?? logger;
  }

  /**
   * Archives every stream its retention rule makes due now, passing by those archived as far as
   * they go already (all but their last event).
   */
  async run(): Promise<ArchiveRun> {
    const now = this.clock();
    const due: { streamId: string; reason: string }[] = [];
    const { client, tables } = this.options;
    for (const { head, archivedUpTo } of await scanStreams(client, tables.events)) {
      const reason = dueReason(this.options.rules, head, now);
      if (reason && archivedUpTo < head.last - 1) due.push({ streamId: head.streamId, reason });
    }
    const streams = await mapConcurrently(due, this.options.concurrency ?? 8, (stream) =>
      this.archiveStream(stream.streamId, stream.reason),
    );
    return {
      streams,
      events: streams.reduce((sum, s) => sum + (s.moved ? s.moved.to - s.moved.from + 1 : 0), 0),
    };
  }

  /** Archives what can be archived of one stream now, whatever its rule says. */
  async archiveStream(streamId: string, reason = 'asked'): Promise<ArchivedStream> {
    const head = await this.ensureHead(streamId);
    if (!head) return { streamId, reason, removed: 0 };
    const markedBefore = await this.archived.archivedUpTo(streamId);
    let removed = await this.removeLeftovers(streamId, markedBefore);
    const range = await this.nextRange(head, markedBefore);
    if (!range) return { streamId, reason, removed };
    const items = await this.hotItems(range);
    const segment = await this.options.archive.put(range, items);
    await this.mark(streamId, range.to);
    removed += await this.remove(items);
    this.log.info('Stream archived', { reason, ...range, segment, removed });
    return { streamId, reason, moved: range, removed };
  }

  /** The stream's head, created from its last event when it has none; undefined for no stream. */
  private async ensureHead(streamId: string): Promise<StreamHead | undefined> {
    for (;;) {
      const head = await this.heads.head(streamId);
      if (head) return head;
      const last = await this.lastEvent(streamId);
      if (!last) return undefined;
      const created = headOf(streamId, last);
      try {
        await this.options.client.send(
          new PutItemCommand({
            TableName: this.options.tables.events,
            Item: headItem(created),
            ConditionExpression: 'attribute_not_exists(#last)',
            ExpressionAttributeNames: { '#last': 'last' },
          }),
        );
        return created;
      } catch (error) {
        // An append created it first: read it again.
        if (!isConditionalCheckFailed(error)) throw error;
      }
    }
  }

  private async lastEvent(streamId: string): Promise<StoredItem | undefined> {
    const { Items } = await this.options.client.send(
      new QueryCommand({
        TableName: this.options.tables.events,
        KeyConditionExpression: 'streamId = :s AND version >= :first',
        ExpressionAttributeValues: { ':s': { S: streamId }, ':first': { N: '1' } },
        ConsistentRead: true,
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    return Items?.[0];
  }

  /**
   * The versions to archive now: from after the mark to the last one a checkpoint sealed, short
   * of the stream's last. A segment a crashed run wrote from there is taken as it is.
   */
  private async nextRange(head: StreamHead, marked: number): Promise<SegmentRange | undefined> {
    const from = marked + 1;
    const limit = Math.min(head.last - 1, await this.sealedUpTo(head.streamId));
    if (limit < from) return undefined;
    const written = (await this.options.archive.segments(head.streamId)).find(
      (segment) => segment.from === from && segment.to <= limit,
    );
    return { streamId: head.streamId, from, to: written?.to ?? limit };
  }

  /** The last version of the stream that signed checkpoints cover (0 when none). */
  private async sealedUpTo(streamId: string): Promise<number> {
    const runs = await this.seals.sealedRuns(streamId);
    return runs.reduce(
      (last, run) => Math.max(last, run.firstVersion + run.positions.length - 1),
      0,
    );
  }

  /** The items of a range, each version present once, in order. */
  private async hotItems(range: SegmentRange): Promise<StoredItem[]> {
    const items = await this.items.range(range.streamId, range.from, range.to);
    items.forEach((item, index) => {
      const version = Number(item.version?.N);
      if (version !== range.from + index) {
        throw new StreamGapError(range.streamId, range.from + index, version);
      }
    });
    if (items.length !== range.to - range.from + 1) {
      throw new StreamGapError(range.streamId, range.from + items.length, range.to);
    }
    return items;
  }

  /** Moves the archive mark forward to `to` (never back: a concurrent run may be ahead). */
  private async mark(streamId: string, to: number): Promise<void> {
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tables.events,
          Item: archiveMarkItem(streamId, to),
          ConditionExpression: 'attribute_not_exists(archived) OR archived < :to',
          ExpressionAttributeValues: { ':to': { N: String(to) } },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  /** Deletes archived items, each only if it still holds the bytes the archive holds. */
  private async remove(items: readonly StoredItem[]): Promise<number> {
    let removed = 0;
    for (const item of items) {
      try {
        await this.options.client.send(
          new DeleteItemCommand({
            TableName: this.options.tables.events,
            Key: { streamId: item.streamId!, version: item.version! },
            ...deleteCondition(item),
          }),
        );
        removed += 1;
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        // Gone already (a concurrent run), or changed since it was read: the archive keeps what
        // was read, and the verifier reports a changed item.
        this.log.warn('Archived event item not removed: it is gone or differs from the archive', {
          streamId: item.streamId!.S,
          version: Number(item.version!.N),
        });
      }
    }
    return removed;
  }

  /** Removes items at or below the mark that a crashed run left, where the archive holds them. */
  private async removeLeftovers(streamId: string, marked: number): Promise<number> {
    if (marked === 0) return 0;
    const leftovers = await this.items.range(streamId, 1, marked);
    if (leftovers.length === 0) return 0;
    const first = Number(leftovers[0]!.version!.N);
    const last = Number(leftovers.at(-1)!.version!.N);
    const archived = new Map(
      (await this.archived.items(streamId, first, last, marked)).map((item) => [
        item.version!.N,
        item,
      ]),
    );
    const same = leftovers.filter((item) => {
      const copy = archived.get(item.version!.N);
      return copy !== undefined && sameItems([copy], [item]);
    });
    if (same.length < leftovers.length) {
      this.log.error('Event items below the archive mark differ from the archive; kept', {
        streamId,
        differing: leftovers.length - same.length,
      });
    }
    return this.remove(same);
  }
}
