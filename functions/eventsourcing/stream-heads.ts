import { GetItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConcurrencyError } from './errors';
import { KnownVersions } from './known-versions';
import type { ExpectedVersion } from './types';

/** What a process knows of streams' heads, and the reads that find them out. */
export class StreamHeads {
  private readonly known = new KnownVersions();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** Records that `version` of the stream is committed. */
  observe(streamId: string, version: number): void {
    this.known.observe(streamId, version);
  }

  /** The stream's current version (0 when it does not exist). */
  async version(streamId: string): Promise<number> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'streamId = :s',
        ExpressionAttributeValues: { ':s': { S: streamId } },
        ProjectionExpression: 'version',
        ConsistentRead: true,
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const version = Number(result.Items?.[0]?.version?.N ?? 0);
    this.known.observe(streamId, version);
    return version;
  }

  /**
   * Appending at an exact version N must not create a hole when the stream is shorter than N.
   * Events are never deleted, so once version N is known to exist it exists for good: the check
   * is a read only when this process has not seen version N yet.
   */
  async assertExists(
    streamId: string,
    version: number,
    expectedVersion: ExpectedVersion,
  ): Promise<void> {
    if (version === 0 || this.known.get(streamId) >= version) return;
    const found = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { streamId: { S: streamId }, version: { N: String(version) } },
        ProjectionExpression: 'version',
        ConsistentRead: true,
      }),
    );
    if (!found.Item) {
      throw new ConcurrencyError(streamId, expectedVersion, await this.version(streamId));
    }
    this.known.observe(streamId, version);
  }

  /** The concurrency error of a lost race, with the stream's head when it can be read. */
  async conflict(streamId: string, expectedVersion: ExpectedVersion): Promise<ConcurrencyError> {
    const actual = await this.version(streamId).catch(() => undefined);
    return new ConcurrencyError(streamId, expectedVersion, actual);
  }
}
