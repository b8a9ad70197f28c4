import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand, type NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { eventFromAttributes, eventFromItem } from '../event-items.js';
import {
  ArchivedEvents,
  archiveFromEnv,
  findArchived,
  type ArchiveSource,
} from '../archive/archived-events.js';
import type { StoredItem } from '../archive/segments.js';
import { batchGetAll } from '../consumers/batch-get.js';
import type { RecordedEvent } from '../types.js';
import type { EventCatalogue } from '../event-catalogue.js';
import type { PersonalData } from '../personal/personal-data.js';
import {
  Epochs,
  MAX_PAGE_ENTRIES,
  pagePartition,
  typePartition,
  type GlobalLogTables,
  type LogHead,
  type PageEntry,
  type TypeEntry,
  type TypeTally,
} from './layout.js';
import { LogStore } from './log-store.js';
import { UnsupportedOperationError } from '../errors.js';
import {
  DanglingLogReferenceError,
  checkRead,
  leafOf,
  referenceOf,
  typeReferenceOf,
  type LeafReference,
  type LogReference,
  type LogSlice,
  type ReadLogOptions,
} from './references.js';

export {
  DanglingLogReferenceError,
  InvalidLogReadError,
  MAX_READ_LIMIT,
  type LeafReference,
  type LogReference,
  type LogSlice,
  type ReadLogOptions,
} from './references.js';

/** Keys per BatchGetItem call. */
const BATCH_GET_KEYS = 100;
/** Items per Query of pages or type pages. */
const QUERY_LIMIT = 100;

/** An event with its position in the global log. */
export interface LoggedEvent<Event extends RecordedEvent = RecordedEvent> {
  readonly position: number;
  readonly event: Event;
}

export interface GlobalLogReaderOptions {
  readonly client: DynamoDBClient;
  /** The events table is needed to read events; references and leaves need only the log. */
  readonly tables: Pick<GlobalLogTables, 'globalLog'> & Partial<GlobalLogTables>;
  /**
   * Upcasts and parses every event read, like every other read path (an event that does not fit
   * its schema fails the read with `CorruptEventError`); without one, events come as stored.
   */
  readonly catalogue?: Pick<EventCatalogue, 'parse'>;
  /**
   * Opens personal fields (replacements for an erased subject) before parsing; without it,
   * sealed values come as stored.
   */
  readonly personalData?: PersonalData;
  /** Must match the indexer's. */
  readonly positionsPerEpoch?: number;
  /**
   * Where archived events are read (see `EventStoreOptions.archive`): the bucket named by
   * `BUCKET_ARCHIVE` when omitted; `false` for none.
   */
  readonly archive?: ArchiveSource | false;
}

type Item = Record<string, NativeAttributeValue>;

/**
 * Reads the global log forward from a position: all events, or only some types.
 *
 * A reader only ever moves through consecutive positions: pages are read in order and a page
 * whose first position is not the next one due (its predecessor's transaction is still
 * committing somewhere) ends the read there. Type pages are chained (`previous`), so a type
 * read stops before a type page whose predecessor it has not seen. Either way `next` never
 * passes an event that is not visible yet, so no event can appear behind a reader later.
 */
export class GlobalLogReader {
  readonly epochs: Epochs;
  private readonly store: LogStore;
  private readonly parse: (event: RecordedEvent) => RecordedEvent;
  private readonly archived: ArchivedEvents | undefined;

  constructor(private readonly options: GlobalLogReaderOptions) {
    this.store = new LogStore(options.client, options.tables.globalLog);
    this.epochs = new Epochs(options.positionsPerEpoch);
    const { catalogue } = options;
    this.parse = catalogue ? (event) => catalogue.parse(event) : (event) => event;
    const archive = options.archive === false ? undefined : (options.archive ?? archiveFromEnv());
    this.archived =
      archive && options.tables.events
        ? new ArchivedEvents(options.client, options.tables.events, archive)
        : undefined;
  }

  head(): Promise<LogHead> {
    return this.store.head();
  }

  /** Events after `after`, in log order, upcast and validated. */
  async read(options: ReadLogOptions = {}): Promise<LogSlice<LoggedEvent>> {
    const slice = await this.references(options);
    return { events: await this.eventsOf(slice.events), next: slice.next };
  }

  /** Events of one type across all streams, after `after`. */
  readType(type: string, options: Omit<ReadLogOptions, 'types'> = {}) {
    return this.read({ ...options, types: [type] });
  }

  /** What `read` returns, without fetching the events. */
  async references(options: ReadLogOptions = {}): Promise<LogSlice<LogReference>> {
    const { after, limit, types } = checkRead(options);
    return types
      ? this.typeReferences(after, limit, types)
      : this.allReferences(after, limit, referenceOf);
  }

  /** The leaves of the positions after `after` (at most `limit`), for checkpoints. */
  leaves(after: number, limit: number): Promise<LogSlice<LeafReference>> {
    return this.allReferences(after, limit, leafOf);
  }

  private async allReferences<Reference>(
    after: number,
    limit: number,
    referenceAt: (position: number, entry: PageEntry) => Reference,
  ): Promise<LogSlice<Reference>> {
    const references: Reference[] = [];
    let next = after + 1;
    for (;;) {
      const epoch = this.epochs.of(next);
      const reached = await this.readPages(epoch, next, (first, entries) => {
        if (first > next) return false; // its predecessor is not visible yet
        for (let index = next - first; index < entries.length; index++) {
          if (references.length >= limit) return false;
          references.push(referenceAt(first + index, entries[index]!));
          next = first + index + 1;
        }
        return references.length < limit;
      });
      if (!reached || next <= this.epochs.last(epoch)) break;
    }
    return { events: references, next: next - 1 };
  }

  /**
   * Calls `visit` with each page of `epoch` that may hold `from` or a later position, in order,
   * while it returns true. Returns whether every page was visited.
   */
  private async readPages(
    epoch: number,
    from: number,
    visit: (first: number, entries: readonly PageEntry[]) => boolean,
  ): Promise<boolean> {
    const lower = Math.max(this.epochs.first(epoch), from - MAX_PAGE_ENTRIES + 1);
    for await (const item of this.range(pagePartition(epoch), lower, this.epochs.last(epoch))) {
      const entries = item.entries as PageEntry[];
      const first = item.sk as number;
      if (first + entries.length <= from) continue;
      if (!visit(first, entries)) return false;
    }
    return true;
  }

  /** The items of one partition with `sk` from `from` to `to`, in order, read consistently. */
  private async *range(partition: string, from: number, to: number): AsyncGenerator<Item> {
    let startKey: Item | undefined;
    do {
      const page = await this.store.doc.send(
        new QueryCommand({
          TableName: this.options.tables.globalLog,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': partition, ':from': from, ':to': to },
          ConsistentRead: true,
          Limit: QUERY_LIMIT,
          ExclusiveStartKey: startKey,
        }),
      );
      yield* page.Items ?? [];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  /**
   * References of some types after `after`, merged in log order. The head read first bounds
   * the read: a type whose chain was read up to the head's last position of that type has no
   * more events up to the head's last position, so `next` may move on to it even when nothing
   * matched; otherwise `next` stays at what every type has been read up to.
   */
  private async typeReferences(
    after: number,
    limit: number,
    types: readonly string[],
  ): Promise<LogSlice<LogReference>> {
    const head = await this.head();
    if (after >= head.lastPosition) return { events: [], next: after };
    const perType = await Promise.all(
      [...new Set(types)].map((type) =>
        this.typeChain(type, { after, limit, bound: head.lastPosition, tally: head.types[type] }),
      ),
    );
    const covered = Math.min(...perType.map((chain) => chain.covered));
    const merged = perType
      .flatMap((chain) => chain.references)
      .filter((reference) => reference.position <= covered)
      .sort((a, b) => a.position - b.position)
      .slice(0, limit);
    return {
      events: merged,
      next: merged.length === limit ? merged.at(-1)!.position : covered,
    };
  }

  /** One type's references after `after`, and the position up to which they are complete. */
  private async typeChain(
    type: string,
    read: { after: number; limit: number; bound: number; tally: TypeTally | undefined },
  ): Promise<{ references: LogReference[]; covered: number }> {
    const { after, limit, bound, tally } = read;
    const references: LogReference[] = [];
    if (!tally || tally.last <= after) return { references, covered: bound };
    let seen: number | undefined;
    for await (const item of this.typePages(type, after, bound)) {
      const previous = item.previous as number;
      const chained = seen === undefined ? previous <= after : previous === seen;
      // A type page in between is not visible yet: stop before this one.
      if (!chained) return { references, covered: seen ?? after };
      const entries = (item.entries as TypeEntry[]).filter((entry) => entry.p > after);
      references.push(...entries.map((entry) => typeReferenceOf(type, entry)));
      seen = item.sk as number;
      if (references.length >= limit) return { references, covered: seen };
    }
    return { references, covered: seen === tally.last ? bound : (seen ?? after) };
  }

  /** One type's pages with `sk` from `after + 1` to `bound`, epoch after epoch, in order. */
  private async *typePages(type: string, after: number, bound: number): AsyncGenerator<Item> {
    for (let epoch = this.epochs.of(after + 1); epoch <= this.epochs.of(bound); epoch++) {
      yield* this.range(
        typePartition(type, epoch),
        Math.max(this.epochs.first(epoch), after + 1),
        Math.min(this.epochs.last(epoch), bound),
      );
    }
  }

  private eventsTable(): string {
    const { events } = this.options.tables;
    if (!events) {
      throw new UnsupportedOperationError(
        'This log reader has no events table: it reads references only',
      );
    }
    return events;
  }

  /** The events referenced, in the same order, upcast and parsed. */
  async eventsOf(references: readonly LogReference[]): Promise<LoggedEvent[]> {
    const keys = references.map(({ streamId, version }) => ({ streamId, version }));
    // One BatchGetItem takes 100 keys: the calls of a large read go out side by side.
    const chunks = Array.from({ length: Math.ceil(keys.length / BATCH_GET_KEYS) }, (_, i) =>
      keys.slice(i * BATCH_GET_KEYS, (i + 1) * BATCH_GET_KEYS),
    );
    const items = (
      await Promise.all(
        chunks.map((chunk) => batchGetAll(this.store.doc, this.eventsTable(), chunk)),
      )
    ).flat();
    const byStream = new Map<string, Map<number, Item>>();
    for (const item of items) {
      const versions = byStream.get(item.streamId as string) ?? new Map<number, Item>();
      versions.set(item.version as number, item);
      byStream.set(item.streamId as string, versions);
    }
    const missing = references.filter(
      ({ streamId, version }) => !byStream.get(streamId)?.has(version),
    );
    const archived =
      missing.length > 0 && this.archived
        ? await findArchived(this.archived, missing)
        : new Map<string, ReadonlyMap<number, StoredItem>>();
    const stored = references.map(({ position, streamId, version }) => {
      const item = byStream.get(streamId)?.get(version);
      if (item) return eventFromAttributes(item);
      const archivedItem = archived.get(streamId)?.get(version);
      if (!archivedItem) throw new DanglingLogReferenceError(position, streamId, version);
      return eventFromItem(archivedItem);
    });
    const events = this.options.personalData
      ? await this.options.personalData.reveal(stored)
      : stored;
    return references.map(({ position }, index) => ({
      position,
      event: this.parse(events[index]!),
    }));
  }
}
