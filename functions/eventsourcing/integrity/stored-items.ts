import {
  QueryCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { ArchivedEvents } from '../archive/archived-events.js';
import { SORT_KEY_MAX } from '../store-checks.js';

type EventItem = Record<string, AttributeValue>;

/**
 * Event items exactly as stored, for the verifier and proofs: never decoded, never checked for
 * holes (a hole is what the verifier looks for). With the archive, versions the stream's archive
 * mark covers are read from there, the others from the events table.
 */
export class StoredEventItems {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly archived?: ArchivedEvents,
  ) {}

  /**
   * A stream's items with versions from `from` to `to`, in version order, read consistently.
   * An item the table still holds is taken from the table, as readers take it (one a crashed
   * archiver left, or one written over after it was archived, is checked as readers see it).
   */
  async range(streamId: string, from: number, to = SORT_KEY_MAX): Promise<EventItem[]> {
    const hot = await this.tableRange(streamId, from, to);
    if (!this.archived) return hot;
    const upTo = await this.archived.archivedUpTo(streamId);
    if (upTo < from) return hot;
    const inTable = new Set(hot.map((item) => item.version?.N));
    const archived = (await this.archived.items(streamId, from, Math.min(to, upTo), upTo)).filter(
      (item) => !inTable.has(item.version?.N),
    );
    return [...archived, ...hot].sort((a, b) => Number(a.version?.N) - Number(b.version?.N));
  }

  private async tableRange(streamId: string, from: number, to: number): Promise<EventItem[]> {
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
