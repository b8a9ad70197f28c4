import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CorruptEventError } from './errors.js';
import type { EventCatalogue } from './event-catalogue.js';
import { isEventItem, readEventItem } from './event-items.js';

/**
 * Every stored event that does not fit its schema after upcasting (or whose JSON is broken), found by scanning the whole
 * events table: the events that stop commands on their stream (and park projections) until an
 * operator repairs the cause. The scan reads the table once, page by page, so it also finds
 * corrupt events that no command has met yet.
 */
export async function* findCorruptEvents(
  client: DynamoDBClient,
  tableName: string,
  catalogue: EventCatalogue,
): AsyncGenerator<CorruptEventError> {
  let exclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: exclusiveStartKey }),
    );
    for (const item of page.Items ?? []) {
      if (!isEventItem(item)) continue;
      const read = readEventItem(item);
      const error = read.error ?? catalogue.tryParse(read.event).error;
      if (error) yield error;
    }
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
}
