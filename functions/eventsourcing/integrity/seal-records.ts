import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type NativeAttributeValue,
} from '@aws-sdk/lib-dynamodb';
import { mapConcurrently } from '../consumers/concurrency.js';
import type { LeafReference } from '../global-log/references.js';
import { isConditionalCheckFailed } from '../conditional-writes.js';

/**
 * The `seals` table, keyed by `pk` (string) and `sk` (number):
 *
 * - `head` / 0: the latest checkpoint written (sequence, last position, checkpoint hash). It
 *   only ever moves forward, one sequence at a time.
 * - `stream#<streamId>` / first version: the positions of a run of the stream's versions and the
 *   checkpoint that sealed them, so a proof finds an event's checkpoint in one Query.
 * - `verifier` / 0: the last checkpoint the verifier found sound.
 *
 * Everything here can be rebuilt from the checkpoints and the global log: it is an index, the
 * signed checkpoints are the record.
 */
export interface SealHead {
  readonly sequence: number;
  readonly lastPosition: number;
  /** The checkpoint hash of checkpoint `sequence`. */
  readonly checkpointHash: string;
}

/** Where an event was sealed. */
export interface SealedPosition {
  readonly sequence: number;
  readonly position: number;
}

/** Consecutive versions of one stream that one checkpoint sealed, with their positions. */
export interface SealedRun {
  readonly sequence: number;
  readonly firstVersion: number;
  readonly positions: readonly number[];
}

/** Versions of one stream in one item at most: keeps an item far below 400 KB. */
const VERSIONS_PER_ITEM = 1000;
/** Stream index items written side by side. */
const WRITE_CONCURRENCY = 16;

const HEAD_KEY = { pk: 'head', sk: 0 } as const;
const VERIFIER_KEY = { pk: 'verifier', sk: 0 } as const;
const streamPartition = (streamId: string) => `stream#${streamId}`;

type Item = Record<string, NativeAttributeValue>;

/** One stream's consecutive versions in a checkpoint, with their positions. */
interface StreamRun {
  readonly streamId: string;
  readonly first: number;
  readonly positions: number[];
}

/** The leaves grouped into runs per stream, each run at most `VERSIONS_PER_ITEM` long. */
function streamRuns(leaves: readonly LeafReference[]): StreamRun[] {
  const open = new Map<string, StreamRun>();
  const runs: StreamRun[] = [];
  for (const leaf of leaves) {
    let run = open.get(leaf.streamId);
    if (!run || run.positions.length >= VERSIONS_PER_ITEM) {
      run = { streamId: leaf.streamId, first: leaf.version, positions: [] };
      open.set(leaf.streamId, run);
      runs.push(run);
    }
    run.positions.push(leaf.position);
  }
  return runs;
}

const headOf = (item: Item | undefined): SealHead | undefined =>
  item
    ? {
        sequence: item.sequence as number,
        lastPosition: item.lastPosition as number,
        checkpointHash: item.checkpointHash as string,
      }
    : undefined;

/** Reads and writes the `seals` table. */
export class SealRecords {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client);
  }

  /** The latest checkpoint written, if any. */
  async head(): Promise<SealHead | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: HEAD_KEY, ConsistentRead: true }),
    );
    return headOf(Item);
  }

  /**
   * Moves the head to `head`, provided it is still at the checkpoint before it: false when
   * another sealer moved it first.
   */
  async advance(head: SealHead): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...HEAD_KEY, ...head },
          ConditionExpression:
            head.sequence === 1 ? 'attribute_not_exists(pk)' : '#sequence = :previous',
          ...(head.sequence === 1
            ? {}
            : {
                ExpressionAttributeNames: { '#sequence': 'sequence' },
                ExpressionAttributeValues: { ':previous': head.sequence - 1 },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /**
   * Records which positions of which streams checkpoint `sequence` sealed. Idempotent: a run's
   * key is its stream and first version, the same however often the checkpoint is recorded.
   */
  async recordStreams(sequence: number, leaves: readonly LeafReference[]): Promise<void> {
    await mapConcurrently(streamRuns(leaves), WRITE_CONCURRENCY, (run) =>
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: streamPartition(run.streamId),
            sk: run.first,
            last: run.first + run.positions.length - 1,
            positions: run.positions,
            sequence,
          },
        }),
      ),
    );
  }

  /** The checkpoint and position that sealed a version of a stream, if it is sealed yet. */
  async sealed(streamId: string, version: number): Promise<SealedPosition | undefined> {
    const { Items = [] } = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk <= :version',
        ExpressionAttributeValues: { ':pk': streamPartition(streamId), ':version': version },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const run = Items[0];
    if (!run || version > (run.last as number)) return undefined;
    const position = (run.positions as number[])[version - (run.sk as number)];
    return position === undefined ? undefined : { sequence: run.sequence as number, position };
  }

  /** Every run of a stream's versions that checkpoints sealed, in version order. */
  async sealedRuns(streamId: string): Promise<SealedRun[]> {
    const runs: SealedRun[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': streamPartition(streamId) },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        runs.push({
          sequence: item.sequence as number,
          firstVersion: item.sk as number,
          positions: item.positions as number[],
        });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return runs;
  }

  /** The last checkpoint the verifier found sound, if any. */
  async verifiedUpTo(): Promise<SealHead | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: VERIFIER_KEY, ConsistentRead: true }),
    );
    return headOf(Item);
  }

  /** Records that every checkpoint up to `head` was found sound. */
  async recordVerified(head: SealHead, verifiedAt: string): Promise<void> {
    await this.doc.send(
      new PutCommand({ TableName: this.tableName, Item: { ...VERIFIER_KEY, ...head, verifiedAt } }),
    );
  }
}
