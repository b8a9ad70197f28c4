import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ReadModelKey } from '../eventsourcing/projection';
import { HttpError } from './errors';

/** Items read per request when a filter may discard some. */
const FILTERED_PAGE_SIZE = 100;

export interface PageRequest {
  readonly pk: string;
  /** Only items whose sort key starts with this. */
  readonly skPrefix: string;
  readonly limit: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string | undefined;
  readonly newestFirst?: boolean;
  /** Only items whose attribute equals the value (a DynamoDB filter: pages may hold fewer). */
  readonly where?: { readonly attribute: string; readonly equals: string };
}

export interface Page<Item> {
  readonly items: Item[];
  /** Present while more items may follow. */
  readonly nextCursor?: string;
}

/**
 * The continuation token of a listing names only the last sort key: the partition comes from
 * the request, so a token can never reach into another owner's or customer's items.
 */
function encodeCursor(sk: string): string {
  return Buffer.from(JSON.stringify({ sk }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, skPrefix: string): string {
  let sk: unknown;
  try {
    sk = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { sk?: unknown }).sk;
  } catch {
    sk = undefined;
  }
  if (typeof sk !== 'string' || !sk.startsWith(skPrefix)) {
    throw new HttpError(400, 'InvalidCursor', 'cursor is not one this listing returned', {
      fields: [{ in: 'query', field: 'cursor', message: 'is not a cursor this listing returned' }],
    });
  }
  return sk;
}

/** Reads one read-model table (items keyed `pk`/`sk`) for query handlers. */
export class ReadModelTable {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = DynamoDBDocumentClient.from(client);
  }

  async get<Item>(key: ReadModelKey): Promise<Item | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: key }),
    );
    return Item as Item | undefined;
  }

  /**
   * One page of a partition in sort-key order. With a filter, DynamoDB pages may hold fewer
   * matches than asked for, so it reads on until `limit` items are found or the partition ends.
   */
  async page<Item extends ReadModelKey>(request: PageRequest): Promise<Page<Item>> {
    const items: Item[] = [];
    let startSk =
      request.cursor === undefined ? undefined : decodeCursor(request.cursor, request.skPrefix);
    let more = true;
    while (more && items.length < request.limit) {
      const wanted = request.limit - items.length;
      const result = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: {
            ':pk': request.pk,
            ':prefix': request.skPrefix,
            ...(request.where ? { ':where': request.where.equals } : {}),
          },
          ...(request.where
            ? {
                FilterExpression: '#where = :where',
                ExpressionAttributeNames: { '#where': request.where.attribute },
              }
            : {}),
          ScanIndexForward: !request.newestFirst,
          Limit: request.where ? Math.max(wanted, FILTERED_PAGE_SIZE) : wanted,
          ...(startSk === undefined ? {} : { ExclusiveStartKey: { pk: request.pk, sk: startSk } }),
        }),
      );
      const found = (result.Items ?? []) as Item[];
      items.push(...found.slice(0, wanted));
      if (found.length > wanted) {
        startSk = items.at(-1)!.sk;
        more = true;
      } else {
        startSk = result.LastEvaluatedKey?.sk as string | undefined;
        more = startSk !== undefined;
      }
    }
    return {
      items,
      ...(more && startSk !== undefined ? { nextCursor: encodeCursor(startSk) } : {}),
    };
  }
}

/** A read-model item without its keys: what the API returns. */
export function withoutKeys<T extends ReadModelKey>(item: T): Omit<T, 'pk' | 'sk'> {
  return Object.fromEntries(
    Object.entries(item).filter(([name]) => name !== 'pk' && name !== 'sk'),
  ) as Omit<T, 'pk' | 'sk'>;
}
