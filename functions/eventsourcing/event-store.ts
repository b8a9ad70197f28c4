/* eslint-disable max-lines -- predates the file size cap; split by responsibility when next changed */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type AttributeValue,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import {
  ConcurrencyError,
  InvalidEventError,
  StreamGapError,
  TooManyEventsError,
  EventTooLargeError,
  WriteConditionFailedError,
} from './errors';
import type { EventCatalogue } from './event-catalogue';
import {
  eventFromItem,
  prepareEvents,
  validateExpectedVersion,
  validateNewEvents,
  validateStreamId,
  type CheckedEvent,
  type PreparedEvent,
} from './event-items';
import { eventIdFactory } from './event-ids';
import type { EventStreamStore } from './event-stream-store';
import { itemBytes } from './item-size';
import { KnownVersions } from './known-versions';
import { sleep } from './retry';
import type { EventMetadata, ExpectedVersion, NewEvent, RecordedEvent } from './types';

/** DynamoDB's limit of actions in one TransactWriteItems call. */
export const MAX_EVENTS_PER_APPEND = 100;
/** DynamoDB's limit on the aggregate size of the items in one transaction. */
const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;
/** Attempts for appends that follow the stream's head (`any`, `stream_exists`). */
const HEAD_FOLLOWING_ATTEMPTS = 5;

/**
 * A conditional put to another table, committed in the same transaction as an append: all of
 * them land or none does (e.g. an idempotency key's record with the answer its command gave).
 */
export interface ConditionalPut {
  readonly tableName: string;
  readonly item: Record<string, AttributeValue>;
  readonly conditionExpression: string;
  readonly expressionAttributeNames?: Record<string, string>;
  readonly expressionAttributeValues?: Record<string, AttributeValue>;
}

export interface AppendOptions {
  readonly expectedVersion: ExpectedVersion;
  /** Merged into every event's metadata (the event's own metadata wins). */
  readonly metadata?: EventMetadata;
  /**
   * Lower bound for `recordedAt`: the command handler passes the last loaded event's time so
   * that times stay ordered within a stream even when Lambda clocks disagree.
   */
  readonly notBefore?: string;
  /**
   * Writes committed atomically with the events. When one of their conditions fails, nothing is
   * written and the append throws `WriteConditionFailedError`.
   */
  readonly alongside?: readonly ConditionalPut[];
}

export interface AppendResult {
  readonly streamId: string;
  /** The stream's version after the append; pass it as the next `expectedVersion`. */
  readonly version: number;
  readonly events: readonly RecordedEvent[];
}

export interface ReadOptions {
  readonly fromVersion?: number;
  readonly toVersion?: number;
  readonly direction?: 'forward' | 'backward';
  /** Maximum number of events returned; reading stops once it is reached. */
  readonly limit?: number;
}

export interface EventStoreOptions<Event extends RecordedEvent = RecordedEvent> {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /**
   * The event types this store may write and how to read them. Without one the store only
   * reads, yielding events exactly as stored (for stream consumers that upcast and parse each
   * event themselves), and refuses every append.
   */
  readonly catalogue?: EventCatalogue<Event>;
  readonly clock?: () => Date;
  /** How often a read re-queries when it observes a gap (a transaction still committing). */
  readonly gapRetries?: number;
}

const SORT_KEY_MAX = Number.MAX_SAFE_INTEGER;

type ExpectedVersions = ReadonlyMap<string, ExpectedVersion>;

/** One stream's part of an atomic multi-stream append. */
export interface StreamAppend {
  readonly streamId: string;
  readonly events: readonly NewEvent[];
  readonly expectedVersion: number | 'no_stream';
}

const isLostRace = (reason: { Code?: string | undefined }) =>
  reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict';

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
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly clock: () => Date;
  private readonly gapRetries: number;
  private readonly known = new KnownVersions();
  private readonly newEventId = eventIdFactory();

  constructor(options: EventStoreOptions<Event>) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.catalogue = options.catalogue;
    this.clock = options.clock ?? (() => new Date());
    this.gapRetries = options.gapRetries ?? 5;
  }

  // eslint-disable-next-line complexity -- paging, limit and gap re-reads in one loop; to be split into page and gap steps
  async append(
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    validateStreamId(streamId);
    validateExpectedVersion(options.expectedVersion);
    if (!Array.isArray(events) || events.length === 0) {
      throw new InvalidEventError('append needs at least one event', 'events');
    }
    if (events.length > MAX_EVENTS_PER_APPEND) {
      throw new TooManyEventsError(events.length, MAX_EVENTS_PER_APPEND);
    }
    const checked = this.check(events);

    const { expectedVersion } = options;
    if (typeof expectedVersion === 'number' || expectedVersion === 'no_stream') {
      const base = expectedVersion === 'no_stream' ? 0 : expectedVersion;
      await this.assertVersionExists(streamId, base, expectedVersion);
      return this.write(streamId, base, checked, options);
    }
    for (let attempt = 1; ; attempt++) {
      const head = await this.headVersion(streamId);
      if (expectedVersion === 'stream_exists' && head === 0) {
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
   * re-delivered trigger can never apply the effect twice.
   */
  async appendToStreams(
    appends: readonly StreamAppend[],
    options: Pick<AppendOptions, 'metadata'> = {},
  ): Promise<AppendResult[]> {
    if (appends.length === 0) {
      throw new InvalidEventError('appendToStreams needs at least one stream', 'appends');
    }
    const total = appends.reduce((sum, a) => sum + a.events.length, 0);
    if (total > MAX_EVENTS_PER_APPEND) throw new TooManyEventsError(total, MAX_EVENTS_PER_APPEND);
    const expected = new Map<string, ExpectedVersion>();
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
      if (expected.has(streamId)) {
        throw new InvalidEventError(`stream '${streamId}' appears twice`, 'streamId');
      }
      if (events.length === 0) {
        throw new InvalidEventError(`no events for stream '${streamId}'`, 'events');
      }
      checked.set(streamId, this.check(events));
      expected.set(streamId, expectedVersion);
    }
    const base = (a: StreamAppend) => (a.expectedVersion === 'no_stream' ? 0 : a.expectedVersion);
    await Promise.all(
      appends.map((a) => this.assertVersionExists(a.streamId, base(a), a.expectedVersion)),
    );
    const recordedAt = this.clock().toISOString();
    const prepared = appends.map((a) =>
      this.prepare(a.streamId, base(a), checked.get(a.streamId)!, recordedAt, options.metadata),
    );
    const all = prepared.flat();
    if (all.length === 1) await this.putOne(all[0]!, appends[0]!.expectedVersion);
    else await this.transact(all, expected, []);
    return appends.map((a, index) => {
      const version = base(a) + a.events.length;
      this.known.observe(a.streamId, version);
      return { streamId: a.streamId, version, events: prepared[index]!.map((p) => p.event) };
    });
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
    const check: TransactWriteItem = {
      ConditionCheck: {
        TableName: this.tableName,
        Key: { streamId: { S: streamId }, version: { N: String(version + 1) } },
        ConditionExpression: 'attribute_not_exists(version)',
      },
    };
    await this.sendTransaction([check], writes, () => this.conflict(streamId, version));
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
  // eslint-disable-next-line complexity -- paging, limit and gap re-reads in one loop; to be split into page and gap steps
  async *iterate(streamId: string, options: ReadOptions = {}): AsyncGenerator<Event> {
    validateStreamId(streamId);
    const forward = (options.direction ?? 'forward') === 'forward';
    const limit = options.limit ?? Infinity;
    if (!(limit === Infinity || (Number.isSafeInteger(limit) && limit >= 0))) {
      throw new InvalidEventError('limit must be a non-negative integer', 'limit');
    }
    let from = Math.max(1, options.fromVersion ?? 1);
    let to = Math.min(SORT_KEY_MAX, options.toVersion ?? SORT_KEY_MAX);
    let remaining = limit;
    let expected: number | undefined = forward ? from : undefined;
    let gapRetriesLeft = this.gapRetries;

    while (remaining > 0 && from <= to) {
      let exclusiveStartKey: Record<string, AttributeValue> | undefined;
      let restartAt: number | undefined;
      // Without an upper bound the condition says so: DynamoDB Local reads an open range faster.
      const bounded = to < SORT_KEY_MAX;
      do {
        const page = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: bounded
              ? 'streamId = :s AND version BETWEEN :from AND :to'
              : 'streamId = :s AND version >= :from',
            ExpressionAttributeValues: {
              ':s': { S: streamId },
              ':from': { N: String(from) },
              ...(bounded ? { ':to': { N: String(to) } } : {}),
            },
            ConsistentRead: true,
            ScanIndexForward: forward,
            ExclusiveStartKey: exclusiveStartKey,
            ...(remaining === Infinity ? {} : { Limit: remaining }),
          }),
        );
        for (const item of page.Items ?? []) {
          const event = eventFromItem(item);
          // eslint-disable-next-line max-depth -- predates the nesting cap; extract the inner loop when next changed
          if (expected !== undefined && event.version !== expected) {
            restartAt = expected;
            break;
          }
          this.known.observe(streamId, event.version);
          yield this.parse(event);
          remaining -= 1;
          expected = forward ? event.version + 1 : event.version - 1;
          gapRetriesLeft = this.gapRetries;
        }
        exclusiveStartKey = restartAt === undefined ? page.LastEvaluatedKey : undefined;
      } while (exclusiveStartKey && remaining > 0);

      if (restartAt === undefined) return;
      // A Query can observe part of a transaction that is still committing: re-read from the hole.
      if (gapRetriesLeft-- <= 0) {
        throw new StreamGapError(streamId, restartAt, restartAt + (forward ? 1 : -1));
      }
      await sleep(10 * (this.gapRetries - gapRetriesLeft));
      if (forward) from = restartAt;
      else to = restartAt;
    }
  }

  /** The stream's current version (0 when it does not exist). */
  async headVersion(streamId: string): Promise<number> {
    validateStreamId(streamId);
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'streamId = :s',
        ExpressionAttributeValues: { ':s': { S: streamId } },
        ProjectionExpression: 'version',
        ConsistentRead: true,
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const version = Number(result.Items?.[0]?.version?.N ?? 0);
    this.known.observe(streamId, version);
    return version;
  }

  /**
   * Appending at an exact version N must not create a hole when the stream is shorter than N.
   * Events are never deleted, so once version N is known to exist it exists for good: the check
   * is a read only when this process has not seen version N yet.
   */
  private async assertVersionExists(
    streamId: string,
    version: number,
    expectedVersion: ExpectedVersion,
  ): Promise<void> {
    if (version === 0 || this.known.get(streamId) >= version) return;
    const found = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { streamId: { S: streamId }, version: { N: String(version) } },
        ProjectionExpression: 'version',
        ConsistentRead: true,
      }),
    );
    if (!found.Item) {
      throw new ConcurrencyError(streamId, expectedVersion, await this.headVersion(streamId));
    }
    this.known.observe(streamId, version);
  }

  /** A stored event as readers get it: upcast and parsed by the catalogue, or as stored. */
  private parse(event: RecordedEvent): Event {
    // Without a catalogue `Event` is `RecordedEvent`: the store reads events as stored.
    return this.catalogue ? this.catalogue.parse(event) : (event as Event);
  }

  /** New events checked against the catalogue, before any I/O: invalid ones write nothing. */
  private check(events: readonly NewEvent[]): CheckedEvent[] {
    validateNewEvents(events);
    const catalogue = this.catalogue;
    if (!catalogue) {
      throw new InvalidEventError(
        'This event store has no event catalogue, so it cannot append',
        'catalogue',
      );
    }
    return events.map((event, index) => ({ ...event, ...catalogue.toStore(event, index) }));
  }

  private async write(
    streamId: string,
    base: number,
    events: readonly CheckedEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    const now = this.clock().toISOString();
    const recordedAt = options.notBefore && options.notBefore > now ? options.notBefore : now;
    const prepared = this.prepare(streamId, base, events, recordedAt, options.metadata);
    const alongside = options.alongside ?? [];
    if (prepared.length === 1 && alongside.length === 0) {
      await this.putOne(prepared[0]!, options.expectedVersion);
    } else {
      await this.transact(prepared, new Map([[streamId, options.expectedVersion]]), alongside);
    }
    const version = base + prepared.length;
    this.known.observe(streamId, version);
    return { streamId, version, events: prepared.map((p) => p.event) };
  }

  /** Items for `events` appended after version `base`, with ids. */
  // eslint-disable-next-line max-params -- predates the parameter cap; take an options object when next changed
  private prepare(
    streamId: string,
    base: number,
    events: readonly CheckedEvent[],
    recordedAt: string,
    metadata: EventMetadata | undefined,
  ): PreparedEvent[] {
    return prepareEvents(streamId, base + 1, events, {
      recordedAt,
      newEventId: () => this.newEventId(),
      metadata,
    });
  }

  private async putOne(prepared: PreparedEvent, expectedVersion: ExpectedVersion): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: prepared.item,
          ConditionExpression: 'attribute_not_exists(version)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The SDK retries a put whose response was lost; finding our own event there is success.
      if (error.Item?.eventId?.S === prepared.event.eventId) return;
      throw await this.conflict(prepared.event.streamId, expectedVersion);
    }
  }

  /**
   * Writes events of one or more streams, and the writes to commit with them, in one
   * transaction: all of them or none.
   */
  private async transact(
    prepared: readonly PreparedEvent[],
    expected: ExpectedVersions,
    alongside: readonly ConditionalPut[],
  ): Promise<void> {
    const totalBytes =
      prepared.reduce((sum, p) => sum + itemBytes(p.item), 0) +
      alongside.reduce((sum, put) => sum + itemBytes(put.item), 0);
    if (totalBytes > MAX_TRANSACTION_BYTES) {
      throw new EventTooLargeError(`${prepared.length} events`, totalBytes, MAX_TRANSACTION_BYTES);
    }
    const eventPuts = prepared.map(({ item }) =>
      putAction({
        tableName: this.tableName,
        item,
        conditionExpression: 'attribute_not_exists(version)',
      }),
    );
    await this.sendTransaction(eventPuts, alongside, (lostAt) => {
      const streamId = prepared[lostAt]?.event.streamId ?? prepared[0]!.event.streamId;
      return this.conflict(streamId, expected.get(streamId) ?? 'any');
    });
  }

  /**
   * Sends the actions on events and the caller's writes as one transaction. When it is
   * cancelled, a failed condition of a caller's write is reported as such (whatever happened
   * to the events); otherwise a lost race (a failed condition, or an item another transaction
   * held) as the concurrency error `lost` builds from its position.
   */
  private async sendTransaction(
    eventActions: readonly TransactWriteItem[],
    writes: readonly ConditionalPut[],
    lost: (index: number) => Promise<ConcurrencyError>,
  ): Promise<void> {
    try {
      // The SDK fills ClientRequestToken, so its own retries of this call are idempotent.
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [...eventActions, ...writes.map(putAction)],
        }),
      );
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const refused = reasons
        .slice(eventActions.length)
        .findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
      if (refused !== -1) throw new WriteConditionFailedError(writes[refused]!.tableName, refused);
      const lostAt = reasons.findIndex(isLostRace);
      if (lostAt === -1) throw error;
      throw await lost(lostAt);
    }
  }

  private async conflict(
    streamId: string,
    expectedVersion: ExpectedVersion,
  ): Promise<ConcurrencyError> {
    const actual = await this.headVersion(streamId).catch(() => undefined);
    return new ConcurrencyError(streamId, expectedVersion, actual);
  }
}

const putAction = (put: ConditionalPut): TransactWriteItem => ({
  Put: {
    TableName: put.tableName,
    Item: put.item,
    ConditionExpression: put.conditionExpression,
    ...(put.expressionAttributeNames
      ? { ExpressionAttributeNames: put.expressionAttributeNames }
      : {}),
    ...(put.expressionAttributeValues
      ? { ExpressionAttributeValues: put.expressionAttributeValues }
      : {}),
  },
});
