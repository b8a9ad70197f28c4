import {
  PutItemCommand,
  TransactWriteItemsCommand,
  type AttributeValue,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { EventTooLargeError, WriteConditionFailedError, type ConcurrencyError } from './errors.js';
import type { PreparedEvent } from './event-items.js';
import { MAX_TRANSACTION_BYTES, itemBytes } from './item-size.js';
import {
  CONDITION_FAILED,
  cancellationReasons,
  isConditionalCheckFailed,
  isLostRaceReason,
  isTransactionCanceled,
  itemInTheWay,
} from './conditional-writes.js';

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

/** Builds the concurrency error of a lost race on a stream (reading its head). */
export type ConflictReport = (streamId: string) => Promise<ConcurrencyError>;

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

/** The writes of event items: each conditional on its `(streamId, version)` being free. */
export class EventWrites {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** One event in one conditional PutItem. */
  async putOne(prepared: PreparedEvent, conflict: ConflictReport): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: prepared.item,
          ConditionExpression: VERSION_IS_FREE,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      // The SDK retries a put whose response was lost; finding our own event there is success.
      const found = itemInTheWay<Record<string, AttributeValue>>(error);
      if (found?.eventId?.S === prepared.event.eventId) return;
      throw await conflict(prepared.event.streamId);
    }
  }

  /**
   * Events of one or more streams, and the writes to commit with them, in one transaction: all
   * of them or none.
   */
  async transact(
    prepared: readonly PreparedEvent[],
    alongside: readonly ConditionalPut[],
    conflict: ConflictReport,
  ): Promise<void> {
    const totalBytes =
      prepared.reduce((sum, p) => sum + itemBytes(p.item), 0) +
      alongside.reduce((sum, put) => sum + itemBytes(put.item), 0);
    if (totalBytes > MAX_TRANSACTION_BYTES) {
      throw new EventTooLargeError(`${prepared.length} events`, totalBytes, MAX_TRANSACTION_BYTES);
    }
    const eventPuts = prepared.map(({ item }) =>
      putAction({ tableName: this.tableName, item, conditionExpression: VERSION_IS_FREE }),
    );
    await this.sendTransaction(eventPuts, alongside, (lostAt) =>
      conflict(prepared[lostAt]?.event.streamId ?? prepared[0]!.event.streamId),
    );
  }

  /**
   * Commits `writes` provided version `version + 1` of the stream does not exist, in one
   * transaction.
   */
  async commitAt(
    streamId: string,
    version: number,
    writes: readonly ConditionalPut[],
    conflict: ConflictReport,
  ): Promise<void> {
    const check: TransactWriteItem = {
      ConditionCheck: {
        TableName: this.tableName,
        Key: { streamId: { S: streamId }, version: { N: String(version + 1) } },
        ConditionExpression: VERSION_IS_FREE,
      },
    };
    await this.sendTransaction([check], writes, () => conflict(streamId));
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
      if (!isTransactionCanceled(error)) throw error;
      const reasons = cancellationReasons(error);
      const refused = reasons.slice(eventActions.length).indexOf(CONDITION_FAILED);
      if (refused !== -1) throw new WriteConditionFailedError(writes[refused]!.tableName, refused);
      const lostAt = reasons.findIndex(isLostRaceReason);
      if (lostAt === -1) throw error;
      throw await lost(lostAt);
    }
  }
}
