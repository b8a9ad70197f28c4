import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { tableNameFromEnv } from '../declaration/resource-names.js';
import { createDynamoDbClient } from '../dynamodb-client.js';
import type { Projection, ReadModelItem, ReadModelKey } from '../projection.js';
import { personalDataFromEnv } from '../personal/environment.js';
import type { PersonalData } from '../personal/personal-data.js';
import { readGenerations } from './generations.js';
import { GenerationKeys } from './read-model-keys.js';

export interface ReadModelReaderOptions {
  /** Defaults to a client for the function's region, or `DYNAMODB_ENDPOINT` locally. */
  readonly client?: DynamoDBClient;
  /** Physical name of the read-model table; from the environment when omitted. */
  readonly tableName?: string;
  /** How long the active generation is remembered (default 1000 ms). */
  readonly generationCacheMs?: number;
  /**
   * Opens the sealed personal values a projection kept (replacements for an erased subject);
   * from the function's environment (`PERSONAL_DATA_KEY`) when omitted.
   */
  readonly personalData?: PersonalData;
}

export interface ReadModelQuery {
  readonly pk: string;
  readonly skBeginsWith?: string;
  /** Inclusive range of sort keys. */
  readonly skBetween?: readonly [string, string];
  readonly limit?: number;
  /** Ascending sort keys unless false. */
  readonly forward?: boolean;
  /** The `next` key of the previous page. */
  readonly startAfter?: ReadModelKey;
  /** Strongly consistent read (defaults to eventually consistent, like most queries). */
  readonly consistent?: boolean;
}

export interface ReadModelPage {
  readonly items: ReadModelItem[];
  /** Pass as `startAfter` for the next page; absent on the last page. */
  readonly next?: ReadModelKey;
}

/**
 * Reads a projection's read model in the projection's own keys, from whichever generation is
 * active (a rebuild switches generations while queries keep working). Query Lambdas use this
 * instead of addressing the table directly.
 */
export class ReadModelReader {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly cacheMs: number;
  private readonly personalData: PersonalData | undefined;
  private cached: { keys: GenerationKeys; until: number } | undefined;

  constructor(
    private readonly projection: Pick<Projection, 'name' | 'readModel'>,
    options: ReadModelReaderOptions = {},
  ) {
    const client = options.client ?? createDynamoDbClient();
    this.doc = DynamoDBDocumentClient.from(client);
    this.personalData = options.personalData ?? personalDataFromEnv(client);
    this.tableName = options.tableName ?? tableNameFromEnv(projection.readModel);
    this.cacheMs = options.generationCacheMs ?? 1000;
  }

  async activeGeneration(): Promise<number> {
    return (await this.keys()).generation;
  }

  async get(key: ReadModelKey, options: { consistent?: boolean } = {}) {
    const keys = await this.keys();
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.physical(key),
        ConsistentRead: options.consistent ?? false,
      }),
    );
    return Item ? this.revealed(keys.logical(Item)) : undefined;
  }

  async query(query: ReadModelQuery): Promise<ReadModelPage> {
    const keys = await this.keys();
    const { pk } = keys.physical({ pk: query.pk, sk: '-' });
    let condition = 'pk = :pk';
    const values: Record<string, unknown> = { ':pk': pk };
    if (query.skBeginsWith !== undefined) {
      condition += ' AND begins_with(sk, :prefix)';
      values[':prefix'] = query.skBeginsWith;
    } else if (query.skBetween) {
      condition += ' AND sk BETWEEN :from AND :to';
      values[':from'] = query.skBetween[0];
      values[':to'] = query.skBetween[1];
    }
    const page = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: condition,
        ExpressionAttributeValues: values,
        ScanIndexForward: query.forward ?? true,
        ConsistentRead: query.consistent ?? false,
        ...(query.limit ? { Limit: query.limit } : {}),
        ...(query.startAfter ? { ExclusiveStartKey: keys.physical(query.startAfter) } : {}),
      }),
    );
    const items = await Promise.all(
      (page.Items ?? []).map((item) => this.revealed(keys.logical(item))),
    );
    const last = page.LastEvaluatedKey;
    return { items, ...(last ? { next: { pk: query.pk, sk: last.sk as string } } : {}) };
  }

  /** An item with its sealed personal values opened, or replaced once their subject is erased. */
  private async revealed(item: ReadModelItem): Promise<ReadModelItem> {
    return this.personalData ? ((await this.personalData.revealDeep(item)) as ReadModelItem) : item;
  }

  private async keys(): Promise<GenerationKeys> {
    const now = Date.now();
    if (this.cached && this.cached.until > now) return this.cached.keys;
    const { active } = await readGenerations(
      { doc: this.doc, tableName: this.tableName, projection: this.projection.name },
      false,
    );
    const keys = new GenerationKeys(this.projection.name, active);
    this.cached = { keys, until: now + this.cacheMs };
    return keys;
  }
}
