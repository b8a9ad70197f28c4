import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * The streams with an event recorded from `from` to `to` (ISO-8601), found by scanning the
 * events table: it keeps every event for good, whatever became of the stream records or of the
 * global log's indexer (which may have missed the same batch). Items of the first layout keep
 * the time in `recordedAt`, those of the compact one in `at`.
 */
export async function streamsRecordedBetween(
  client: DynamoDBClient,
  tableName: string,
  from: string,
  to: string,
): Promise<string[]> {
  const streams = new Set<string>();
  let exclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        ProjectionExpression: 'streamId',
        FilterExpression: '#at BETWEEN :from AND :to OR recordedAt BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: { ':from': { S: from }, ':to': { S: to } },
        ExclusiveStartKey: exclusiveStartKey,
      }),
    );
    for (const item of page.Items ?? []) {
      if (item.streamId?.S) streams.add(item.streamId.S);
    }
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
  return [...streams].sort();
}
