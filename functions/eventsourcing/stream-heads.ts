import { GetItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConcurrencyError } from './errors.js';
import { KnownVersions } from './known-versions.js';
import type { ExpectedVersion } from './types.js';

/** What a process knows of streams' heads, and the reads that find them out. */
export class StreamHeads {
  private readonly known = new KnownVersions();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** Records that `version` of the stream is committed, with its hash (null: it has none). */
  observe(streamId: string, version: number, hash?: string | null): void {
    this.known.observe(streamId, version, hash);
  }

  /** The stream's current version (0 when it does not exist). */
  async version(streamId: string): Promise<number> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'streamId = :s',
        ExpressionAttributeValues: { ':s': { S: streamId } },
        ProjectionExpression: 'version, h',
        ConsistentRead: true,
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const head = result.Items?.[0];
    const version = Number(head?.version?.N ?? 0);
    if (head) this.known.observe(streamId, version, head.h?.S ?? null);
    return version;
  }

  /**
   * The hash new events after version `version` chain to (undefined at 0 or for an event stored
   * before hashing), making sure that version exists: appending at an exact version N must not
   * create a hole when the stream is shorter than N. Events are never deleted, so once version N
   * and its hash are known they hold for good: this is a read only when this process has not
   * just seen version N.
   */
  async previousHash(
    streamId: string,
    version: number,
    expectedVersion: ExpectedVersion,
  ): Promise<string | undefined> {
    if (version === 0) return undefined;
    const known = this.known.hashAt(streamId, version);
    if (known !== undefined) return known ?? undefined;
    const found = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { streamId: { S: streamId }, version: { N: String(version) } },
        ProjectionExpression: 'version, h',
        ConsistentRead: true,
      }),
    );
    if (!found.Item) {
      throw new ConcurrencyError(streamId, expectedVersion, await this.version(streamId));
    }
    const hash = found.Item.h?.S;
    this.known.observe(streamId, version, hash ?? null);
    return hash;
  }

  /** The concurrency error of a lost race, with the stream's head when it can be read. */
  async conflict(streamId: string, expectedVersion: ExpectedVersion): Promise<ConcurrencyError> {
    const actual = await this.version(streamId).catch(() => undefined);
    return new ConcurrencyError(streamId, expectedVersion, actual);
  }
}
