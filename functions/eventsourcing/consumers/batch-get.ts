import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  type NativeAttributeValue,
} from '@aws-sdk/lib-dynamodb';

type Item = Record<string, NativeAttributeValue>;

/** DynamoDB's limit of keys in one BatchGetItem call. */
const BATCH_GET_LIMIT = 100;

/**
 * Consistent reads of many items of one table, 100 keys a call, asking again for the keys
 * DynamoDB leaves unprocessed. Returns the items that exist, in no particular order.
 */
export async function batchGetAll(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Item[],
  projectionExpression?: string,
): Promise<Item[]> {
  const items: Item[] = [];
  for (let start = 0; start < keys.length; start += BATCH_GET_LIMIT) {
    let pending: Item[] | undefined = keys.slice(start, start + BATCH_GET_LIMIT);
    while (pending && pending.length > 0) {
      const result: BatchGetCommandOutput = await doc.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: pending,
              ConsistentRead: true,
              ...(projectionExpression ? { ProjectionExpression: projectionExpression } : {}),
            },
          },
        }),
      );
      items.push(...(result.Responses?.[tableName] ?? []));
      pending = result.UnprocessedKeys?.[tableName]?.Keys;
    }
  }
  return items;
}
