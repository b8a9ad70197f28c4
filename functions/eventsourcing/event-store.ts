import { ArchivedEvents, archiveFromEnv } from './archive/archived-events.js';
import { ConcurrencyError } from './errors.js';
import { baseOf, isExact, validateExpectedVersion, validateStreamId } from './event-validation.js';
import type { EventCatalogue } from './event-catalogue.js';
import { prepareEvents, type CheckedEvent, type ReadEventItem } from './event-items.js';
import { eventIdFactory } from './event-ids.js';
import {
  checkAppend,
  checkClose,
  checkNewEvents,
  checkStreamAppends,
  rangeOf,
  recordedAtOf,
} from './store-checks.js';
import type {
  AppendOptions,
  AppendResult,
  EventStoreOptions,
  ReadOptions,
  StreamAppend,
} from './event-store-options.js';
import type { EventStreamStore } from './event-stream-store.js';
import { EventWrites, type ConditionalPut } from './event-writes.js';
import { StreamHeads } from './stream-heads.js';
import { sealPersonalData, withStoredDataOf, type PersonalData } from './personal/personal-data.js';
import { StreamPages } from './stream-pages.js';
import { withTraceId } from './tracing.js';
import type { NewEvent, RecordedEvent } from './types.js';

export type * from './event-store-options.js';
export type { ConditionalPut } from './event-writes.js';
export { MAX_EVENTS_PER_APPEND } from './event-validation.js';

/** An append's options, and whether its event is the stream's tombstone. */
type WriteOptions = AppendOptions & { readonly closes?: boolean };

/** Attempts for appends that follow the stream's head (`any`, `stream_exists`). */
const HEAD_FOLLOWING_ATTEMPTS = 5;

/**
 * Append-only event streams in one DynamoDB table keyed by `(streamId, version)`.
 * Every write is conditional on the version not existing, so concurrent writers to one
 * stream can never both win a version. Events are checked against the catalogue before
 * anything is written, and every event read is upcast and parsed by it.
 */
export class EventStore<
  Event extends RecordedEvent = RecordedEvent,
> implements EventStreamStore<Event> {
  readonly catalogue: EventCatalogue<Event> | undefined;
  private readonly clock: () => Date;
  private readonly pages: StreamPages;
  private readonly writes: EventWrites;
  private readonly heads: StreamHeads;
  private readonly personalData: PersonalData | undefined;
  private readonly newEventId = eventIdFactory();

  constructor(options: EventStoreOptions<Event>) {
    this.catalogue = options.catalogue;
    this.personalData = options.personalData;
    this.clock = options.clock ?? (() => new Date());
    const archive = options.archive === false ? undefined : (options.archive ?? archiveFromEnv());
    this.pages = new StreamPages(
      options.client,
      options.tableName,
      options.gapRetries ?? 5,
      archive && new ArchivedEvents(options.client, options.tableName, archive),
    );
    this.writes = new EventWrites(options.client, options.tableName);
    this.heads = new StreamHeads(options.client, options.tableName);
  }

  async append(
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    const checked = checkAppend(this.catalogue, streamId, events, options.expectedVersion);
    return this.appendChecked(streamId, checked, options);
  }

  /**
   * Closes a stream for good: appends its tombstone (`StreamClosed`, with the reason) and closes
   * its head in one transaction. Later appends throw `StreamClosedError`; the events stay
   * readable. Needs no catalogue: the tombstone belongs to none.
   */
  async close(
    streamId: string,
    reason: string,
    options: Pick<AppendOptions, 'expectedVersion' | 'metadata'>,
  ): Promise<AppendResult> {
    const tombstone = checkClose(streamId, reason, options.expectedVersion);
    return this.appendChecked(streamId, tombstone, { ...options, closes: true });
  }

  private async appendChecked(
    streamId: string,
    checked: readonly CheckedEvent[],
    options: WriteOptions,
  ): Promise<AppendResult> {
    const { expectedVersion } = options;
    if (isExact(expectedVersion)) {
      return this.write(streamId, baseOf(expectedVersion), checked, options);
    }
    for (let attempt = 1; ; attempt++) {
      const head = await this.headVersion(streamId);
      if ((expectedVersion === 'stream_exists' || options.closes) && head === 0) {
        throw new ConcurrencyError(streamId, expectedVersion, 0);
      }
      try {
        return await this.write(streamId, head, checked, options);
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= HEAD_FOLLOWING_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * Appends to several streams in one transaction: every stream gets its events or none does.
   * Each stream needs an exact expected version; at most 100 events in all. Lets a process
   * manager record a step in its own stream together with the effect of that step, so a
   * re-delivered trigger can never apply the effect twice. `alongside` writes commit with them.
   */
  async appendToStreams(
    appends: readonly StreamAppend[],
    options: Pick<AppendOptions, 'metadata' | 'alongside'> = {},
  ): Promise<AppendResult[]> {
    const checked = checkStreamAppends(appends, (events) => checkNewEvents(this.catalogue, events));
    const sealedEvents = await Promise.all(
      appends.map((a) =>
        sealPersonalData(
          this.personalData,
          this.catalogue,
          { streamId: a.streamId, base: baseOf(a.expectedVersion) },
          checked.get(a.streamId)!,
        ),
      ),
    );
    const previousHashes = await Promise.all(
      appends.map((a) =>
        this.heads.previousHash(a.streamId, baseOf(a.expectedVersion), a.expectedVersion),
      ),
    );
    const recordedAt = this.clock().toISOString();
    const metadata = withTraceId(options.metadata);
    const context = { recordedAt, newEventId: this.newEventId, metadata };
    const prepared = appends.map((a, index) =>
      prepareEvents(a.streamId, baseOf(a.expectedVersion) + 1, sealedEvents[index]!, {
        ...context,
        previousHash: previousHashes[index],
      }),
    );
    const expected = new Map(appends.map((a) => [a.streamId, a.expectedVersion]));
    const conflict = (streamId: string) =>
      this.heads.conflict(streamId, expected.get(streamId) ?? 'any');
    await this.writes.append(
      appends.map((a, index) => ({
        streamId: a.streamId,
        previous: baseOf(a.expectedVersion),
        prepared: prepared[index]!,
      })),
      options.alongside ?? [],
      conflict,
    );
    return Promise.all(
      appends.map(async (a, index) => {
        const events = prepared[index]!.map((p) => p.event);
        const version = baseOf(a.expectedVersion) + a.events.length;
        this.heads.observe(a.streamId, version, events.at(-1)!.hash);
        return { streamId: a.streamId, version, events: await this.revealAll(events) };
      }),
    );
  }

  /**
   * Commits `writes` provided the stream is still at `version`, in one transaction that also
   * checks that version `version + 1` does not exist: for a command that decided no events but
   * records its outcome, which then holds for exactly the state it was decided on. Throws
   * `ConcurrencyError` when the stream has moved on, `WriteConditionFailedError` when a write's
   * own condition fails.
   */
  async commitAt(
    streamId: string,
    version: number,
    writes: readonly ConditionalPut[],
  ): Promise<void> {
    validateStreamId(streamId);
    validateExpectedVersion(version);
    await this.writes.commitAt(streamId, version, writes, () =>
      this.heads.conflict(streamId, version),
    );
  }

  /**
   * Reads a stream (or a version range of it) in order, complete past DynamoDB's 1 MB pages.
   * Every event is upcast and parsed by the catalogue; an event that does not fit its schema
   * fails the read with `CorruptEventError`.
   */
  async read(streamId: string, options: ReadOptions = {}): Promise<Event[]> {
    const events: Event[] = [];
    for await (const event of this.iterate(streamId, options)) events.push(event);
    return events;
  }

  /** Like `read`, yielding events as pages arrive so callers can stop early. */
  async *iterate(streamId: string, options: ReadOptions = {}): AsyncGenerator<Event> {
    for await (const event of this.iterateStored(streamId, options)) {
      yield this.parse(await this.reveal(event));
    }
  }

  /** A stored event with its personal values opened (or replaced, once their subject is erased). */
  async reveal(event: RecordedEvent): Promise<RecordedEvent> {
    return this.personalData ? (await this.personalData.reveal([event]))[0]! : event;
  }

  /** Like `iterate`, yielding events as stored; `CorruptEventError` for one it cannot read. */
  private async *iterateStored(
    streamId: string,
    options: ReadOptions = {},
  ): AsyncGenerator<RecordedEvent> {
    for await (const { event, error } of this.iterateItems(streamId, options)) {
      if (error) throw error;
      yield event;
    }
  }

  /**
   * Like `iterate`, yielding events exactly as stored, an event whose data or metadata cannot be
   * read at all with the reason instead of failing the read: for stream consumers, which park
   * such an event only when they handle its type, and the global log, which keeps only types.
   */
  async *iterateItems(streamId: string, options: ReadOptions = {}): AsyncGenerator<ReadEventItem> {
    validateStreamId(streamId);
    for await (const read of this.pages.read(
      streamId,
      rangeOf(options),
      options.fromArchive !== false,
    )) {
      this.heads.observe(streamId, read.event.version, read.event.hash ?? null);
      yield read;
    }
  }

  /**
   * The last `count` events of a stream (fewer when it is shorter), oldest first, as stored:
   * one backward Query when they fit in a page.
   */
  async readLatest(
    streamId: string,
    count: number,
    options: Pick<ReadOptions, 'fromArchive'> = {},
  ): Promise<RecordedEvent[]> {
    const latest: RecordedEvent[] = [];
    for await (const event of this.iterateStored(streamId, {
      ...options,
      direction: 'backward',
      limit: count,
    })) {
      latest.push(event);
    }
    latest.reverse();
    return this.personalData ? this.personalData.reveal(latest) : latest;
  }

  /** A stored event as readers get it: upcast and parsed by the catalogue, or as stored. */
  parse(event: RecordedEvent): Event {
    // Without a catalogue `Event` is `RecordedEvent`: the store reads events as stored.
    return this.catalogue ? this.catalogue.parse(event) : (event as Event);
  }

  /** The stream's current version (0 when it does not exist). */
  async headVersion(streamId: string): Promise<number> {
    validateStreamId(streamId);
    return this.heads.version(streamId);
  }

  private async write(
    streamId: string,
    base: number,
    checked: readonly CheckedEvent[],
    options: WriteOptions,
  ): Promise<AppendResult> {
    const { closes } = options;
    const events = await sealPersonalData(
      this.personalData,
      this.catalogue,
      { streamId, base },
      checked,
    );
    const previousHash = await this.heads.previousHash(streamId, base, options.expectedVersion);
    const recordedAt = recordedAtOf(this.clock().toISOString(), options.notBefore);
    const prepared = prepareEvents(streamId, base + 1, events, {
      recordedAt,
      newEventId: this.newEventId,
      metadata: withTraceId(options.metadata),
      previousHash,
    });
    await this.writes.append(
      [{ streamId, previous: base, prepared, ...(closes ? { closes } : {}) }],
      options.alongside ?? [],
      () => this.heads.conflict(streamId, options.expectedVersion),
    );
    const version = base + prepared.length;
    this.heads.observe(streamId, version, prepared.at(-1)!.event.hash);
    // The events as written, their personal fields as given: nothing to decrypt.
    const written = prepared.map(({ event }, index) =>
      events[index] === checked[index]
        ? event
        : withStoredDataOf(event, { ...event, data: checked[index]!.data }),
    );
    return { streamId, version, events: written };
  }

  private async revealAll(events: RecordedEvent[]): Promise<RecordedEvent[]> {
    return this.personalData ? this.personalData.reveal(events) : events;
  }
}
