import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  ConcurrencyError,
  InvalidEventError,
  StreamGapError,
  TooManyEventsError,
  EventTooLargeError,
} from './errors';
import {
  eventFromItem,
  prepareEvents,
  validateExpectedVersion,
  validateNewEvents,
  validateStreamId,
  type PreparedEvent,
} from './event-items';
import { eventIdFactory } from './event-ids';
import { itemBytes } from './item-size';
import { KnownVersions } from './known-versions';
import { Upcasters } from './upcasting';
import type { EventMetadata, ExpectedVersion, NewEvent, RecordedEvent } from './types';

/** DynamoDB's limit of actions in one TransactWriteItems call. */
export const MAX_EVENTS_PER_APPEND = 100;
/** DynamoDB's limit on the aggregate size of the items in one transaction. */
const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;
/** Attempts for appends that follow the stream's head (`any`, `stream_exists`). */
const HEAD_FOLLOWING_ATTEMPTS = 5;

export interface AppendOptions {
  readonly expectedVersion: ExpectedVersion;
  /** Merged into every event's metadata (the event's own metadata wins). */
  readonly metadata?: EventMetadata;
  /**
   * Lower bound for `recordedAt`: the command handler passes the last loaded event's time so
   * that times stay ordered within a stream even when Lambda clocks disagree.
   */
  readonly notBefore?: string;
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

export interface EventStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly upcasters?: Upcasters;
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Append-only event streams in one DynamoDB table keyed by `(streamId, version)`.
 * Every write is conditional on the version not existing, so concurrent writers to one
 * stream can never both win a version.
 */
export class EventStore {
  readonly upcasters: Upcasters;
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly clock: () => Date;
  private readonly gapRetries: number;
  private readonly known = new KnownVersions();
  private readonly newEventId = eventIdFactory();

  constructor(options: EventStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.upcasters = options.upcasters ?? new Upcasters();
    this.clock = options.clock ?? (() => new Date());
    this.gapRetries = options.gapRetries ?? 5;
  }

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
    validateNewEvents(events);

    const { expectedVersion } = options;
    if (typeof expectedVersion === 'number' || expectedVersion === 'no_stream') {
      const base = expectedVersion === 'no_stream' ? 0 : expectedVersion;
      await this.assertVersionExists(streamId, base, expectedVersion);
      return this.write(streamId, base, events, options);
    }
    for (let attempt = 1; ; attempt++) {
      const head = await this.headVersion(streamId);
      if (expectedVersion === 'stream_exists' && head === 0) {
        throw new ConcurrencyError(streamId, expectedVersion, 0);
      }
      try {
        return await this.write(streamId, head, events, options);
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
      validateNewEvents(events);
      expected.set(streamId, expectedVersion);
    }
    const base = (a: StreamAppend) => (a.expectedVersion === 'no_stream' ? 0 : a.expectedVersion);
    await Promise.all(
      appends.map((a) => this.assertVersionExists(a.streamId, base(a), a.expectedVersion)),
    );
    const recordedAt = this.clock().toISOString();
    const prepared = appends.map((a) =>
      this.prepare(a.streamId, base(a), a.events, recordedAt, options.metadata),
    );
    const all = prepared.flat();
    if (all.length === 1) await this.putOne(all[0]!, appends[0]!.expectedVersion);
    else await this.putAll(all, expected);
    return appends.map((a, index) => {
      const version = base(a) + a.events.length;
      this.known.observe(a.streamId, version);
      return { streamId: a.streamId, version, events: prepared[index]!.map((p) => p.event) };
    });
  }

  /** Reads a stream (or a version range of it) in order, complete past DynamoDB's 1 MB pages. */
  async read(streamId: string, options: ReadOptions = {}): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    for await (const event of this.iterate(streamId, options)) events.push(event);
    return events;
  }

  /** Like `read`, yielding events as pages arrive so callers can stop early. */
  async *iterate(streamId: string, options: ReadOptions = {}): AsyncGenerator<RecordedEvent> {
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
          if (expected !== undefined && event.version !== expected) {
            restartAt = expected;
            break;
          }
          this.known.observe(streamId, event.version);
          yield this.upcasters.upcast(event);
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

  private async write(
    streamId: string,
    base: number,
    events: readonly NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    const now = this.clock().toISOString();
    const recordedAt = options.notBefore && options.notBefore > now ? options.notBefore : now;
    const prepared = this.prepare(streamId, base, events, recordedAt, options.metadata);
    if (prepared.length === 1) await this.putOne(prepared[0]!, options.expectedVersion);
    else await this.putAll(prepared, new Map([[streamId, options.expectedVersion]]));
    const version = base + prepared.length;
    this.known.observe(streamId, version);
    return { streamId, version, events: prepared.map((p) => p.event) };
  }

  /** Items for `events` appended after version `base`, with ids and current schema versions. */
  private prepare(
    streamId: string,
    base: number,
    events: readonly NewEvent[],
    recordedAt: string,
    metadata: EventMetadata | undefined,
  ): PreparedEvent[] {
    return prepareEvents(streamId, base + 1, events, {
      recordedAt,
      newEventId: () => this.newEventId(),
      schemaVersionOf: (type) => this.upcasters.currentVersion(type),
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

  /** Writes events of one or more streams in one transaction: all of them or none. */
  private async putAll(
    prepared: readonly PreparedEvent[],
    expected: ExpectedVersions,
  ): Promise<void> {
    const totalBytes = prepared.reduce((sum, p) => sum + itemBytes(p.item), 0);
    if (totalBytes > MAX_TRANSACTION_BYTES) {
      throw new EventTooLargeError(`${prepared.length} events`, totalBytes, MAX_TRANSACTION_BYTES);
    }
    try {
      // The SDK fills ClientRequestToken, so its own retries of this call are idempotent.
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: prepared.map(({ item }) => ({
            Put: {
              TableName: this.tableName,
              Item: item,
              ConditionExpression: 'attribute_not_exists(version)',
            },
          })),
        }),
      );
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const lost = reasons.findIndex(
        (reason) =>
          reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict',
      );
      if (lost === -1) throw error;
      const streamId = prepared[lost]?.event.streamId ?? prepared[0]!.event.streamId;
      throw await this.conflict(streamId, expected.get(streamId) ?? 'any');
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
