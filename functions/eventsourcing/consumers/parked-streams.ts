import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from './batch-get.js';
import type { FailureKind, StreamFailure } from './version-guard.js';
import { isConditionalCheckFailed } from '../conditional-writes.js';

/**
 * A stream that a consumer (a projection or a reaction) could not process, kept with its reason.
 * - `failing`: failed `attempts` times at `version`; still retried by the stream.
 * - `parked`: gave up retrying; later events of the stream queue behind it (the highest seen in
 *   `queuedUpTo`) while other streams flow, until `redrive` replays it from the events table.
 */
export interface ParkedStream {
  readonly consumer: string;
  readonly streamId: string;
  readonly status: 'failing' | 'parked';
  readonly version: number;
  readonly eventId?: string;
  readonly eventType?: string;
  readonly kind: FailureKind;
  readonly error: string;
  readonly errorName: string;
  readonly attempts: number;
  readonly firstFailedAt: string;
  readonly lastFailedAt: string;
  readonly parkedAt?: string;
  readonly queuedUpTo?: number;
}

/** A stream that failed for a consumer, with its record before this failure, if any. */
export interface FailingStream {
  readonly consumer: string;
  readonly streamId: string;
  readonly previous: ParkedStream | undefined;
}

export interface FailureCounting {
  /** Failed attempts at one version after which the stream is parked. */
  readonly parkAfterAttempts: number;
  /** The highest version delivered with the failure: parked, the stream queues up to it. */
  readonly queuedUpTo?: number;
}

/** The stream's record after one more failure: failing, or parked once attempts run out. */
function nextRecord(
  { consumer, streamId, previous }: FailingStream,
  failure: StreamFailure,
  options: FailureCounting,
): ParkedStream {
  const now = new Date().toISOString();
  const sameFailure = previous?.status === 'failing' && previous.version === failure.version;
  const attempts = sameFailure ? previous.attempts + 1 : 1;
  const parked = attempts >= options.parkAfterAttempts;
  return {
    consumer,
    streamId,
    status: parked ? 'parked' : 'failing',
    version: failure.version,
    ...(failure.eventId ? { eventId: failure.eventId } : {}),
    ...(failure.eventType ? { eventType: failure.eventType } : {}),
    kind: failure.kind,
    error: failure.error.message,
    errorName: failure.error.name,
    attempts,
    firstFailedAt: sameFailure ? previous.firstFailedAt : now,
    lastFailedAt: now,
    ...(parked ? { parkedAt: now, ...queuedUpTo(options) } : {}),
  };
}

const queuedUpTo = ({ queuedUpTo }: FailureCounting) =>
  queuedUpTo === undefined ? {} : { queuedUpTo };

/** The parked-streams table: failure counts and parked streams of every consumer. */
export class ParkedStreams {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(consumer: string, streamId: string): Promise<ParkedStream | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { consumer, streamId },
        ConsistentRead: true,
      }),
    );
    return Item as ParkedStream | undefined;
  }

  /** Records of the given streams that have one. */
  async states(consumer: string, streamIds: readonly string[]): Promise<Map<string, ParkedStream>> {
    const states = new Map<string, ParkedStream>();
    const keys = streamIds.map((streamId) => ({ consumer, streamId }));
    for (const item of await batchGetAll(this.doc, this.tableName, keys)) {
      states.set(item.streamId as string, item as ParkedStream);
    }
    return states;
  }

  /**
   * Counts a failed attempt (attempts restart at 1 when the failing version changed) and parks
   * the stream once `parkAfterAttempts` is reached. Returns the record as stored.
   */
  async recordFailure(
    stream: FailingStream,
    failure: StreamFailure,
    options: FailureCounting,
  ): Promise<ParkedStream> {
    const { consumer, streamId } = stream;
    const record = nextRecord(stream, failure, options);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: record,
          ConditionExpression: 'attribute_not_exists(streamId) OR #status = :failing',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':failing': 'failing' },
        }),
      );
      return record;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      // Parked meanwhile by another process: keep its record, the stream stays parked.
      return (await this.get(consumer, streamId)) ?? record;
    }
  }

  /** A redrive of a parked stream failed again: keep it parked with the new reason. */
  async recordRedriveFailure(record: ParkedStream, failure: StreamFailure): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { consumer: record.consumer, streamId: record.streamId },
        UpdateExpression:
          'SET #version = :version, eventId = :eventId, eventType = :eventType, #kind = :kind, ' +
          '#error = :error, errorName = :errorName, lastFailedAt = :now ADD attempts :one',
        ExpressionAttributeNames: { '#version': 'version', '#kind': 'kind', '#error': 'error' },
        ExpressionAttributeValues: {
          ':version': failure.version,
          ':eventId': failure.eventId ?? record.eventId ?? '',
          ':eventType': failure.eventType ?? record.eventType ?? '',
          ':kind': failure.kind,
          ':error': failure.error.message,
          ':errorName': failure.error.name,
          ':now': new Date().toISOString(),
          ':one': 1,
        },
      }),
    );
  }

  /**
   * Notes that events up to `version` wait behind a parked stream. False when the stream is no
   * longer parked (a redrive released it): the caller then applies the events itself.
   */
  async queueBehind(consumer: string, streamId: string, version: number): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { consumer, streamId },
          UpdateExpression: 'SET queuedUpTo = :version',
          ConditionExpression:
            '#status = :parked AND (attribute_not_exists(queuedUpTo) OR queuedUpTo < :version)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':parked': 'parked', ':version': version },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      return (await this.get(consumer, streamId))?.status === 'parked';
    }
  }

  /** Forgets the failures of a stream that has since been applied. */
  async clearFailing(consumer: string, streamId: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { consumer, streamId },
          ConditionExpression: '#status = :failing',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':failing': 'failing' },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  /**
   * Releases a parked stream once everything that queued behind it is applied. False when more
   * events queued meanwhile: the caller applies them and tries again.
   */
  async release(consumer: string, streamId: string, appliedVersion: number): Promise<boolean> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { consumer, streamId },
          ConditionExpression: 'attribute_not_exists(queuedUpTo) OR queuedUpTo <= :applied',
          ExpressionAttributeValues: { ':applied': appliedVersion },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      return false;
    }
  }

  /**
   * What a redrive of `consumer` works on: its parked streams, or the named streams with their
   * record when they are parked (a named stream that is not is caught up all the same).
   */
  async redriveTargets(
    consumer: string,
    streamIds?: readonly string[],
  ): Promise<{ streamId: string; record: ParkedStream | undefined }[]> {
    const parked = (await this.list(consumer)).filter((record) => record.status === 'parked');
    return streamIds
      ? streamIds.map((streamId) => ({
          streamId,
          record: parked.find((record) => record.streamId === streamId),
        }))
      : parked.map((record) => ({ streamId: record.streamId, record }));
  }

  /** Every record of one consumer, or of all consumers. */
  async list(consumer?: string): Promise<ParkedStream[]> {
    const records: ParkedStream[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = consumer
        ? await this.doc.send(
            new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: '#consumer = :consumer',
              ExpressionAttributeNames: { '#consumer': 'consumer' },
              ExpressionAttributeValues: { ':consumer': consumer },
              ConsistentRead: true,
              ExclusiveStartKey: startKey,
            }),
          )
        : await this.doc.send(
            new ScanCommand({
              TableName: this.tableName,
              ConsistentRead: true,
              ExclusiveStartKey: startKey,
            }),
          );
      records.push(...((page.Items ?? []) as ParkedStream[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records;
  }
}
