import {
  TransactWriteItemsCommand,
  type AttributeValue,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import {
  EventTooLargeError,
  TooManyEventsError,
  WriteConditionFailedError,
  type EventSourcingError,
} from './errors.js';
import type { PreparedEvent } from './event-items.js';
import { MAX_TRANSACTION_ACTIONS } from './event-validation.js';
import { MAX_TRANSACTION_BYTES, itemBytes } from './item-size.js';
import {
  CONDITION_FAILED,
  cancellationItems,
  cancellationReasons,
  isLostRaceReason,
  isTransactionCanceled,
} from './conditional-writes.js';
import { headCheck, headPut, type StreamHead } from './stream-head-items.js';

const VERSION_IS_FREE = 'attribute_not_exists(version)';

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

/**
 * Builds the error of a lost race on a stream, reading its head: a concurrency error, or the
 * stream's closing when it is closed.
 */
export type ConflictReport = (streamId: string) => Promise<EventSourcingError>;

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

/** Whether every event of a cancelled append was found already stored, with its own id. */
function foundOwnEvents(error: unknown, streams: readonly StreamWrite[]): boolean {
  const found = cancellationItems<Record<string, AttributeValue>>(error);
  let action = 0;
  for (const stream of streams) {
    for (const { event } of stream.prepared) {
      if (found[action++]?.eventId?.S !== event.eventId) return false;
    }
    action += 1; // the stream's head
  }
  return true;
}

/** One stream's part of an append: its new events, after version `previous`. */
export interface StreamWrite {
  readonly streamId: string;
  readonly previous: number;
  readonly prepared: readonly PreparedEvent[];
  /** The last event is the stream's tombstone: its head is closed with it. */
  readonly closes?: boolean;
}

/**
 * The writes of event items: each conditional on its `(streamId, version)` being free, in one
 * transaction with each stream's head (see `stream-head-items.ts`).
 */
export class EventWrites {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /**
   * Events of one or more streams, their heads, and the writes to commit with them, in one
   * transaction: all of them or none.
   */
  async append(
    streams: readonly StreamWrite[],
    alongside: readonly ConditionalPut[],
    conflict: ConflictReport,
  ): Promise<void> {
    const events = streams.flatMap((stream) => stream.prepared);
    const limit = MAX_TRANSACTION_ACTIONS - streams.length - alongside.length;
    if (events.length > limit) throw new TooManyEventsError(events.length, limit);
    const totalBytes =
      events.reduce((sum, p) => sum + itemBytes(p.item), 0) +
      alongside.reduce((sum, put) => sum + itemBytes(put.item), 0);
    if (totalBytes > MAX_TRANSACTION_BYTES) {
      throw new EventTooLargeError(`${events.length} events`, totalBytes, MAX_TRANSACTION_BYTES);
    }
    const actions = streams.flatMap((stream) => this.streamActions(stream));
    const streamOf = streams.flatMap((stream) =>
      Array<string>(stream.prepared.length + 1).fill(stream.streamId),
    );
    await this.sendTransaction(
      actions,
      alongside,
      (lostAt) => conflict(streamOf[lostAt]!),
      // The transaction had committed and its answer was lost (a retry after a timeout that
      // outlived the SDK's idempotency token): every event found in the way is ours.
      (error) => foundOwnEvents(error, streams),
    );
  }

  /**
   * Commits `writes` provided the stream is still at `version` (and open), in one transaction:
   * its head must be at `version`, and version `version + 1` must not exist (a stream written
   * before heads has none).
   */
  async commitAt(
    streamId: string,
    version: number,
    writes: readonly ConditionalPut[],
    conflict: ConflictReport,
  ): Promise<void> {
    const next: TransactWriteItem = {
      ConditionCheck: {
        TableName: this.tableName,
        Key: { streamId: { S: streamId }, version: { N: String(version + 1) } },
        ConditionExpression: VERSION_IS_FREE,
      },
    };
    await this.sendTransaction([next, headCheck(this.tableName, streamId, version)], writes, () =>
      conflict(streamId),
    );
  }

  private streamActions(stream: StreamWrite): TransactWriteItem[] {
    const last = stream.prepared.at(-1)!.event;
    const head: StreamHead = {
      streamId: stream.streamId,
      last: last.version,
      lastType: last.type,
      lastAt: last.recordedAt,
      ...(last.hash === undefined ? {} : { hash: last.hash }),
      ...(stream.closes ? { closed: last.version } : {}),
    };
    return [
      ...stream.prepared.map(({ item }) => ({
        Put: {
          TableName: this.tableName,
          Item: item,
          ConditionExpression: VERSION_IS_FREE,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
        },
      })),
      headPut(this.tableName, head, stream.previous),
    ];
  }

  /**
   * Sends the actions on events and heads and the caller's writes as one transaction. When it
   * is cancelled, a failed condition of a caller's write is reported as such (whatever happened
   * to the events); otherwise a lost race (a failed condition, or an item another transaction
   * held) as the concurrency error `lost` builds from its position.
   */
  private async sendTransaction(
    eventActions: readonly TransactWriteItem[],
    writes: readonly ConditionalPut[],
    lost: (index: number) => Promise<EventSourcingError>,
    committedBefore: (cancelled: unknown) => boolean = () => false,
  ): Promise<void> {
    try {
      // The SDK fills ClientRequestToken, so its own retries of this call are idempotent.
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [...eventActions, ...writes.map(putAction)],
        }),
      );
    } catch (error) {
      if (!isTransactionCanceled(error)) throw error;
      if (committedBefore(error)) return;
      const reasons = cancellationReasons(error);
      const refused = reasons.slice(eventActions.length).indexOf(CONDITION_FAILED);
      if (refused !== -1) throw new WriteConditionFailedError(writes[refused]!.tableName, refused);
      const lostAt = reasons.findIndex(isLostRaceReason);
      if (lostAt === -1) throw error;
      throw await lost(lostAt);
    }
  }
}
