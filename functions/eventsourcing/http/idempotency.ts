import { createHash } from 'node:crypto';
import {
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { ConditionalPut } from '../event-writes.js';
import { isConditionalCheckFailed } from '../conditional-writes.js';

/** How long a key and its answer are kept. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/** Header telling the client that this response is the stored answer to an earlier request. */
export const REPLAYED_HEADER = 'idempotent-replayed';

/** An answer exactly as it was sent: a replay repeats it byte for byte. */
export interface StoredAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A key names one attempt at one operation, for one caller only. */
export interface KeyScope {
  readonly actor: string;
  readonly key: string;
}

export interface KeyRecord {
  /** Hash of the request that used the key first: its method, path and JSON body. */
  readonly fingerprint: string;
  readonly answer: StoredAnswer;
}

/** JSON with object keys sorted at every depth, so `{"a":1,"b":2}` and `{"b":2,"a":1}` match. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** What makes two requests "the same": method, path and JSON body (key order and spacing aside). */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(canonicalJson([method, path, body ?? null]))
    .digest('base64url');
}

/**
 * A key's item id: the caller's identity hashed (ARNs can be long) and the key itself, so one
 * caller's key can never find another caller's answer.
 */
const itemId = ({ actor, key }: KeyScope) =>
  `${createHash('sha256').update(actor).digest('base64url')}#${key}`;

/** A key's record as its item holds it. */
const recordOf = (item: Record<string, AttributeValue>): KeyRecord => ({
  fingerprint: item.fingerprint?.S ?? '',
  answer: {
    status: Number(item.status?.N),
    headers: JSON.parse(item.headers?.S ?? '{}') as Record<string, string>,
    body: item.body?.S ?? '',
  },
});

/**
 * Idempotency keys in a DynamoDB table (partition key `id`, TTL attribute `expiration`). The
 * record of a key holds the answer its request got; it is written with a condition that the
 * key is new (or expired), in the same transaction as the command's events, so a crash leaves
 * either both or neither.
 *
 * Powertools idempotency is not used here: it writes its record in requests of its own before
 * and after the command (in progress, then completed), apart from the append, so a crash between
 * the append and the completion leaves the key "in progress" with the effect already applied,
 * and a retry applies it again once the record expires.
 */
export class IdempotencyKeys {
  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The key's record, if the key was used and has not expired (a strongly consistent read). */
  async find(scope: KeyScope): Promise<KeyRecord | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { id: { S: itemId(scope) } },
        ConsistentRead: true,
      }),
    );
    if (!Item || Number(Item.expiration?.N ?? 0) <= this.nowSeconds()) return undefined;
    return recordOf(Item);
  }

  /** The put recording `answer` for the key, conditional on the key being new or expired. */
  record(scope: KeyScope, fingerprint: string, answer: StoredAnswer): ConditionalPut {
    const now = this.nowSeconds();
    return {
      tableName: this.tableName,
      item: {
        id: { S: itemId(scope) },
        key: { S: scope.key },
        actor: { S: scope.actor },
        fingerprint: { S: fingerprint },
        status: { N: String(answer.status) },
        headers: { S: JSON.stringify(answer.headers) },
        body: { S: answer.body },
        createdAt: { S: new Date(now * 1000).toISOString() },
        expiration: { N: String(now + IDEMPOTENCY_TTL_SECONDS) },
      },
      conditionExpression: 'attribute_not_exists(id) OR expiration <= :now',
      expressionAttributeValues: { ':now': { N: String(now) } },
    };
  }

  /** Writes a record on its own (a decision that wrote nothing else); false when the key is taken. */
  async save(put: ConditionalPut): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: put.tableName,
          Item: put.item,
          ConditionExpression: put.conditionExpression,
          ExpressionAttributeValues: put.expressionAttributeValues,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  private nowSeconds(): number {
    return Math.floor(this.clock() / 1000);
  }
}
