import {
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { isConditionalCheckFailed } from '../conditional-writes.js';
import { SubjectErasedError } from '../errors.js';
import { TimedCache } from './key-cache.js';
import type { DataKeyWrapper } from './key-wrapper.js';
import { DEFAULT_KEY_CACHE_MS, erasureStreamId, type SubjectKeys } from './subject-keys.js';

export interface DynamoDbSubjectKeysOptions {
  readonly client: DynamoDBClient;
  /** The data keys table (partition key `subject`) and the events table (the erasure ledger). */
  readonly tables: { readonly dataKeys: string; readonly events: string };
  readonly wrapper: DataKeyWrapper;
  /** How long a key, or a subject's erasure, is cached (default 10 s: how late an erasure is). */
  readonly cacheMs?: number;
}

type Item = Record<string, AttributeValue>;

/**
 * Destroys a subject's data key in the data keys table, leaving its tombstone (`erasedAt`, the
 * first erasure's time, kept on a repeat); returns the streams the key had sealed values in.
 */
export async function destroyDataKey(
  client: DynamoDBClient,
  dataKeysTable: string,
  subject: string,
  erasedAt: string,
): Promise<readonly string[]> {
  const { Attributes } = await client.send(
    new UpdateItemCommand({
      TableName: dataKeysTable,
      Key: { subject: { S: subject } },
      UpdateExpression: 'SET #erasedAt = if_not_exists(#erasedAt, :at) REMOVE #wrapped',
      ExpressionAttributeNames: { '#erasedAt': 'erasedAt', '#wrapped': 'wrapped' },
      ExpressionAttributeValues: { ':at': { S: erasedAt } },
      ReturnValues: 'ALL_OLD',
    }),
  );
  return Attributes?.streams?.SS ?? [];
}

/**
 * Subjects' data keys in the data keys table, each wrapped by the master key (KMS in AWS):
 *
 * | attribute   | holds                                                                    |
 * |-------------|--------------------------------------------------------------------------|
 * | `subject`   | the data subject's id (partition key)                                    |
 * | `wrapped`   | the data key, wrapped under the encryption context `{ subject }`; gone once erased |
 * | `keyId`     | the master key that wrapped it                                           |
 * | `streams`   | the streams that hold its personal values (for the erasure report)       |
 * | `erasedAt`  | when it was erased; the item without `wrapped` is the erasure's tombstone |
 *
 * The erasure ledger (the `erasure-<subject>` stream of the events table) outranks this table:
 * a subject with a ledger entry is erased even when a restored backup of this table still holds
 * its key, so restoring the keys table never brings an erased subject back.
 */
export class DynamoDbSubjectKeys implements SubjectKeys {
  /** Each subject's key, or `erased` once it is known to be. */
  private readonly cache: TimedCache<Uint8Array | 'erased'>;
  /** `subject stream` pairs this process has recorded in a key's `streams`. */
  private readonly registered = new TimedCache<true>(60 * 60_000);

  constructor(private readonly options: DynamoDbSubjectKeysOptions) {
    this.cache = new TimedCache(options.cacheMs ?? DEFAULT_KEY_CACHE_MS);
  }

  async forSealing(
    subjects: readonly string[],
    streamId: string,
  ): Promise<ReadonlyMap<string, Uint8Array>> {
    const keys = new Map<string, Uint8Array>();
    for (const subject of new Set(subjects)) {
      keys.set(subject, await this.sealingKey(subject, streamId));
    }
    return keys;
  }

  async forReading(
    subjects: readonly string[],
  ): Promise<ReadonlyMap<string, Uint8Array | undefined>> {
    const unique = [...new Set(subjects)];
    const keys = await Promise.all(unique.map((subject) => this.readingKey(subject)));
    return new Map(unique.map((subject, index) => [subject, keys[index]]));
  }

  private async readingKey(subject: string): Promise<Uint8Array | undefined> {
    const key = await this.lookUp(subject);
    return typeof key === 'string' ? undefined : key;
  }

  /**
   * The subject's key; `erased` for a tombstone or a ledger entry (cached either way), `none`
   * for a subject without a key yet (not cached: a key may be created any moment).
   */
  private async lookUp(subject: string): Promise<Uint8Array | 'erased' | 'none'> {
    const cached = this.cache.get(subject);
    if (cached !== undefined) return cached;
    const [item, inLedger] = await Promise.all([this.keyItem(subject), this.inLedger(subject)]);
    if (!item && !inLedger) return 'none';
    const wrapped = item?.wrapped?.B;
    const key = inLedger || !wrapped ? 'erased' : await this.unwrap(subject, wrapped);
    this.cache.set(subject, key);
    return key;
  }

  private async sealingKey(subject: string, streamId: string): Promise<Uint8Array> {
    const found = await this.lookUp(subject);
    // A tombstone, or a ledger entry: the subject was erased and stays so.
    if (found === 'erased') throw new SubjectErasedError(subject);
    const key = found === 'none' ? await this.create(subject, streamId) : found;
    await this.register(subject, streamId);
    return key;
  }

  /** Creates the subject's key; the key another process created first when it lost the race. */
  private async create(subject: string, streamId: string): Promise<Uint8Array> {
    const { plaintext, wrapped, keyId } = await this.options.wrapper.generateDataKey({ subject });
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tables.dataKeys,
          Item: {
            subject: { S: subject },
            wrapped: { B: wrapped },
            keyId: { S: keyId },
            createdAt: { S: new Date().toISOString() },
            streams: { SS: [streamId] },
          },
          ConditionExpression: 'attribute_not_exists(subject)',
        }),
      );
      this.registered.set(`${subject} ${streamId}`, true);
      this.cache.set(subject, plaintext);
      return plaintext;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      this.cache.forget(subject);
      const key = await this.lookUp(subject);
      if (typeof key === 'string') throw new SubjectErasedError(subject);
      return key;
    }
  }

  /**
   * Records that the stream holds personal values of the subject, provided its key still exists:
   * the fence is checked here whatever the cache says, once per subject and stream.
   */
  private async register(subject: string, streamId: string): Promise<void> {
    const pair = `${subject} ${streamId}`;
    if (this.registered.get(pair) !== undefined) return;
    try {
      await this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tables.dataKeys,
          Key: { subject: { S: subject } },
          UpdateExpression: 'ADD #streams :stream',
          // `wrapped` is one of DynamoDB's reserved words.
          ConditionExpression: 'attribute_exists(#wrapped)',
          ExpressionAttributeNames: { '#streams': 'streams', '#wrapped': 'wrapped' },
          ExpressionAttributeValues: { ':stream': { SS: [streamId] } },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      this.cache.set(subject, 'erased');
      throw new SubjectErasedError(subject);
    }
    this.registered.set(pair, true);
  }

  /**
   * Destroys the subject's key, leaving its tombstone: from here on (and in every process once
   * its cache expires) its values read as their replacements and it takes no new ones. Returns
   * the streams its key had sealed values in.
   */
  async destroy(subject: string, erasedAt: string): Promise<readonly string[]> {
    const streams = await destroyDataKey(
      this.options.client,
      this.options.tables.dataKeys,
      subject,
      erasedAt,
    );
    this.cache.set(subject, 'erased');
    return streams;
  }

  private async unwrap(subject: string, wrapped: Uint8Array): Promise<Uint8Array> {
    return this.options.wrapper.unwrap(wrapped, { subject });
  }

  private async keyItem(subject: string): Promise<Item | undefined> {
    const { Item } = await this.options.client.send(
      new GetItemCommand({
        TableName: this.options.tables.dataKeys,
        Key: { subject: { S: subject } },
        ConsistentRead: true,
      }),
    );
    return Item;
  }

  /** Whether the erasure ledger records the subject's erasure. */
  private async inLedger(subject: string): Promise<boolean> {
    const { Item } = await this.options.client.send(
      new GetItemCommand({
        TableName: this.options.tables.events,
        Key: { streamId: { S: erasureStreamId(subject) }, version: { N: '1' } },
        ProjectionExpression: 'streamId',
        ConsistentRead: true,
      }),
    );
    return Item !== undefined;
  }
}
