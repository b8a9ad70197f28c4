import {
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { eventItem } from '../../functions/eventsourcing/event-items';
import { headItem } from '../../functions/eventsourcing/stream-head-items';
import type { ConditionalPut, RecordedEvent } from '../../functions/eventsourcing';

/**
 * Writes an event item straight into the events table, past every check of the event store:
 * what a bad deploy, a manual fix or a missing upcaster would leave behind.
 */
export async function putStoredEvent(
  client: DynamoDBClient,
  tableName: string,
  event: { streamId: string; version: number; type: string; data: object; eventId?: string },
): Promise<void> {
  await client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: eventItem({
        eventId: `${event.streamId}-${event.version}`,
        schemaVersion: 1,
        metadata: {},
        recordedAt: new Date().toISOString(),
        ...event,
        data: event.data as Record<string, unknown>,
      }),
    }),
  );
}

/**
 * Writes an event item whose data is not JSON at all (`{"amount": 5`), as a manual write that
 * broke the item would: no schema can even be asked about it. The stream's head moves to it, as
 * an append's would, so the store appends after it.
 */
export async function putUnreadableEvent(
  tables: { client: DynamoDBClient; names: { events: string } },
  event: RecordedEvent,
): Promise<void> {
  await tables.client.send(
    new TransactWriteItemsCommand({
      TransactItems: [
        {
          Put: {
            TableName: tables.names.events,
            Item: { ...eventItem(event), data: { S: '{"amount": 5' } },
          },
        },
        {
          Put: {
            TableName: tables.names.events,
            Item: headItem({
              streamId: event.streamId,
              last: event.version,
              lastType: event.type,
              lastAt: event.recordedAt,
            }),
          },
        },
      ],
    }),
  );
}

/** Versions in the table, read without the event store so its own checks cannot hide holes. */
export async function storedVersions(
  client: DynamoDBClient,
  tableName: string,
  streamId: string,
): Promise<number[]> {
  const versions: number[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        // Event items only: versions from 1 (the stream's head and archive mark sit below).
        KeyConditionExpression: 'streamId = :s AND version >= :first',
        ExpressionAttributeValues: { ':s': { S: streamId }, ':first': { N: '1' } },
        ProjectionExpression: 'version',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    versions.push(...(page.Items ?? []).map((item) => Number(item.version?.N)));
    start = page.LastEvaluatedKey;
  } while (start);
  return versions;
}

let markerCount = 0;

/** Conditional puts of fresh items into a table keyed by `streamId` (the snapshots table). */
export function markers(client: DynamoDBClient, tableName: string) {
  return {
    /** A put of a new marker item, conditional on it not existing yet. */
    next: (): ConditionalPut => ({
      tableName,
      item: { streamId: { S: `marker-${Date.now()}-${++markerCount}` } },
      conditionExpression: 'attribute_not_exists(streamId)',
    }),
    /** Whether the marker's put landed. */
    exists: async (put: ConditionalPut) =>
      (
        await client.send(
          new GetItemCommand({
            TableName: put.tableName,
            Key: { streamId: put.item.streamId! },
            ConsistentRead: true,
          }),
        )
      ).Item !== undefined,
  };
}
