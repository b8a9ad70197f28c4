import { GetItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConcurrencyError, StreamClosedError, type EventSourcingError } from './errors.js';
import { KnownVersions } from './known-versions.js';
import { HEAD_VERSION, headKey, readHead, type StreamHead } from './stream-head-items.js';
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

  /**
   * The stream's current version (0 when it does not exist): its last event, read with its hash
   * in one backward Query (the stream's own last event always stays in the table; its head is
   * what a Query of a stream with no event item finds first).
   */
  async version(streamId: string): Promise<number> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'streamId = :s',
        ExpressionAttributeValues: { ':s': { S: streamId } },
        ProjectionExpression: 'version, h, #last',
        ExpressionAttributeNames: { '#last': 'last' },
        ConsistentRead: true,
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const item = result.Items?.[0];
    if (!item) return 0;
    const version = Number(item.version?.N ?? 0);
    if (version <= HEAD_VERSION) return Number(item.last?.N ?? 0);
    this.known.observe(streamId, version, item.h?.S ?? null);
    return version;
  }

  /** The stream's head item; undefined for a stream without one. */
  async head(streamId: string): Promise<StreamHead | undefined> {
    const found = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: headKey(streamId),
        ConsistentRead: true,
      }),
    );
    return readHead(found.Item);
  }

  /**
   * The hash new events after version `version` chain to (undefined at 0 or for an event stored
   * before hashing), making sure the stream is at that version and open: appending at an exact
   * version N must not create a hole when the stream is shorter than N, nor land on a closed
   * stream. Versions once committed hold for good: this is a read only when this process has not
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
    const head = await this.head(streamId);
    if (head) {
      if (head.closed !== undefined) throw new StreamClosedError(streamId, head.closed);
      if (head.last !== version) throw new ConcurrencyError(streamId, expectedVersion, head.last);
      this.known.observe(streamId, version, head.hash ?? null);
      return head.hash;
    }
    return this.hashOfEvent(streamId, version, expectedVersion);
  }

  /** The hash of the event at `version` of a stream without a head (written before heads). */
  private async hashOfEvent(
    streamId: string,
    version: number,
    expectedVersion: ExpectedVersion,
  ): Promise<string | undefined> {
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

  /**
   * The error of a lost race, from the stream's head when it can be read: its closing when the
   * stream is closed, a concurrency error otherwise.
   */
  async conflict(streamId: string, expectedVersion: ExpectedVersion): Promise<EventSourcingError> {
    const head = await this.head(streamId).catch(() => undefined);
    if (head?.closed !== undefined) return new StreamClosedError(streamId, head.closed);
    const actual = head?.last ?? (await this.version(streamId).catch(() => undefined));
    return new ConcurrencyError(streamId, expectedVersion, actual);
  }
}
