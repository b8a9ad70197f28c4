import {
  QueryCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { SORT_KEY_MAX } from '../store-checks.js';

type EventItem = Record<string, AttributeValue>;

/**
 * Event items exactly as the events table holds them, for the verifier: never decoded, never
 * checked for holes (a hole is what it looks for).
 */
export class StoredEventItems {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** A stream's items with versions from `from` to `to`, in version order, read consistently. */
  async range(streamId: string, from: number, to = SORT_KEY_MAX): Promise<EventItem[]> {
    const items: EventItem[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'streamId = :s AND version BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':s': { S: streamId },
            ':from': { N: String(from) },
            ':to': { N: String(to) },
          },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** Every stream id the table holds, each once. */
  async streamIds(): Promise<string[]> {
    const ids = new Set<string>();
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          ProjectionExpression: 'streamId',
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (item.streamId?.S !== undefined) ids.add(item.streamId.S);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return [...ids].sort();
  }
}
