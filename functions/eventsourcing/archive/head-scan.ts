import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HEAD_VERSION, readHead, type StreamHead } from '../stream-head-items.js';

/**
 * Every stream head in the events table: a full scan, filtered to heads. The archiver runs
 * rarely and off the hot path; the scan reads (and is billed for) every item of the table.
 */
export async function* scanStreamHeads(
  client: DynamoDBClient,
  tableName: string,
): AsyncGenerator<StreamHead> {
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'version = :head',
        ExpressionAttributeValues: { ':head': { N: String(HEAD_VERSION) } },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const head = readHead(item);
      if (head) yield head;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}
