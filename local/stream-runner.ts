import {
  DescribeStreamCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { logger } from '../functions/eventsourcing';
import { BatchDelivery, backoffMs } from './batch-delivery';
import { toLambdaRecord } from './lambda-stream-records';
import { matchesPattern } from './record-filter';
import { readableShards } from './shard-order';
import { sequenceOf } from './stream-invocation';
import type { StreamRunnerOptions } from './stream-runner-options';

export type {
  StreamHandler,
  StreamRunnerOptions,
  StreamRunnerSettings,
} from './stream-runner-options';

interface BufferedRecord {
  readonly record: DynamoDBRecord;
  readonly readAt: number;
}

const DEFAULT_POLL_MS = 250;
const SHARD_DISCOVERY_MS = 1000;
const GET_RECORDS_LIMIT = 1000;

/** Where a shard reader is: the iterator to read on with, and the last record read. */
interface ShardCursor {
  readonly shardId: string;
  iterator: string | undefined;
  lastRead: string | undefined;
}

/**
 * Reads a DynamoDB stream the way Lambda's event source mapping does and invokes a handler in
 * this process: shards parents before children, batches of `batchSize` gathered for up to the
 * batching window, partial batch responses (retry from the lowest failed sequence number),
 * bisect on function errors (halves do not use up retries), bounded retries, maximum record
 * age, and an on-failure destination. Checkpoints after every handled batch, so a restart
 * resumes where it stopped: records may be delivered again, never lost.
 */
export class StreamRunner {
  private stopped = false;
  private readonly workers = new Map<string, Promise<void>>();
  private readonly finished = new Set<string>();
  private readonly positions = new Map<string, string>();
  private loop: Promise<void> | undefined;
  private readonly sleepers = new Set<() => void>();
  private readonly pollMs: number;
  private readonly delivery: BatchDelivery;

  constructor(private readonly options: StreamRunnerOptions) {
    this.pollMs = options.pollIntervalMs ?? DEFAULT_POLL_MS;
    this.delivery = new BatchDelivery(options, {
      isStopped: () => this.stopped,
      sleep: (ms) => this.sleep(ms),
      checkpoint: (shardId, record) => this.checkpoint(shardId, record),
    });
  }

  get consumer(): string {
    return this.options.consumer;
  }

  start(): void {
    if (this.loop) return;
    this.stopped = false;
    this.loop = this.run();
  }

  /** Stops polling; an invocation in flight completes and is checkpointed first. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of this.sleepers) wake();
    await this.loop;
    await Promise.all(this.workers.values());
    this.loop = undefined;
  }

  /**
   * Polls until stopped, whatever fails: like Lambda's pollers it never gives up on a stream.
   * While DynamoDB cannot be reached it backs off (capped) and tries again; shard readers that
   * failed restart from their checkpoints once it answers.
   */
  private async run(): Promise<void> {
    let checkpointsLoaded = false;
    let failures = 0;
    while (!this.stopped) {
      try {
        if (!checkpointsLoaded) {
          await this.loadCheckpoints();
          checkpointsLoaded = true;
        }
        this.startShardReaders(await this.describeShards());
        if (failures > 0) {
          logger.info('Stream runner reads its stream again', { consumer: this.consumer });
        }
        failures = 0;
        await this.sleep(SHARD_DISCOVERY_MS);
      } catch (error) {
        if (failures === 0) {
          logger.warn('Stream runner cannot read its stream; it keeps trying', {
            consumer: this.consumer,
            error,
          });
        }
        failures += 1;
        await this.sleep(backoffMs(failures));
      }
    }
  }

  private async loadCheckpoints(): Promise<void> {
    const saved = await this.options.checkpoints.load(this.consumer, this.options.streamArn);
    for (const checkpoint of saved.values()) {
      if (checkpoint.finished) this.finished.add(checkpoint.shardId);
      if (checkpoint.sequenceNumber) {
        this.positions.set(checkpoint.shardId, checkpoint.sequenceNumber);
      }
    }
  }

  private startShardReaders(shards: readonly Shard[]): void {
    for (const shard of readableShards(shards, this.finished)) {
      const shardId = shard.ShardId!;
      if (this.workers.has(shardId)) continue;
      // A reader that failed restarts from the last checkpoint, like a new Lambda poller.
      const worker = this.readShard(shard, this.positions.get(shardId))
        .catch((error: unknown) => {
          logger.warn('Shard reader failed; it restarts from its checkpoint', {
            consumer: this.consumer,
            shardId,
            error,
          });
        })
        .finally(() => this.workers.delete(shardId));
      this.workers.set(shardId, worker);
    }
  }

  private async describeShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.options.streams.send(
        new DescribeStreamCommand({
          StreamArn: this.options.streamArn,
          ExclusiveStartShardId: exclusiveStartShardId,
        }),
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    return shards;
  }

  private async iteratorAfter(
    shardId: string,
    sequenceNumber: string | undefined,
  ): Promise<string | undefined> {
    try {
      const { ShardIterator } = await this.options.streams.send(
        new GetShardIteratorCommand({
          StreamArn: this.options.streamArn,
          ShardId: shardId,
          ...(sequenceNumber
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: sequenceNumber }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
      );
      return ShardIterator;
    } catch (error) {
      if (!(error instanceof TrimmedDataAccessException) || !sequenceNumber) throw error;
      logger.error(
        'Records after the checkpoint were trimmed (older than 24 hours); rebuild the read models',
        {
          consumer: this.consumer,
          shardId,
          sequenceNumber,
        },
      );
      return this.iteratorAfter(shardId, undefined);
    }
  }

  private async readShard(shard: Shard, checkpoint: string | undefined): Promise<void> {
    const shardId = shard.ShardId!;
    const cursor: ShardCursor = {
      shardId,
      iterator: await this.iteratorAfter(shardId, checkpoint),
      lastRead: checkpoint,
    };
    const buffer: BufferedRecord[] = [];
    const { batchSize } = this.options.settings;

    while (!this.stopped) {
      if (cursor.iterator && buffer.length < batchSize) {
        const read = await this.readPage(cursor, buffer);
        if (!read) continue;
      }
      if (buffer.length === 0) {
        if (!cursor.iterator) return this.finishShard(shardId);
        await this.sleep(this.pollMs);
        continue;
      }
      const waitMs = this.batchingWaitMs(buffer, cursor);
      if (waitMs > 0) {
        await this.sleep(Math.min(this.pollMs, waitMs));
        continue;
      }
      const batch = buffer.splice(0, batchSize).map((buffered) => buffered.record);
      await this.delivery.deliver(shardId, batch);
    }
  }

  /**
   * Reads the next page of the shard into `buffer` and moves the cursor on; false when the
   * iterator had expired and was renewed instead.
   */
  private async readPage(cursor: ShardCursor, buffer: BufferedRecord[]): Promise<boolean> {
    let page;
    try {
      page = await this.options.streams.send(
        new GetRecordsCommand({ ShardIterator: cursor.iterator, Limit: GET_RECORDS_LIMIT }),
      );
    } catch (error) {
      if (!(error instanceof ExpiredIteratorException)) throw error;
      cursor.iterator = await this.iteratorAfter(cursor.shardId, cursor.lastRead);
      return false;
    }
    const readAt = Date.now();
    const { filters } = this.options;
    for (const record of page.Records ?? []) {
      const lambdaRecord = toLambdaRecord(record, this.options.streamArn);
      if (!filters || filters.some((pattern) => matchesPattern(lambdaRecord, pattern))) {
        buffer.push({ record: lambdaRecord, readAt });
      }
      cursor.lastRead = record.dynamodb?.SequenceNumber ?? cursor.lastRead;
    }
    cursor.iterator = page.NextShardIterator;
    return true;
  }

  /**
   * How long the buffered records still wait for more to fill the batch: until the batching
   * window of the oldest ends, unless the batch is full or the shard has ended (0: deliver now).
   */
  private batchingWaitMs(buffer: readonly BufferedRecord[], cursor: ShardCursor): number {
    const { batchSize, maxBatchingWindowSeconds } = this.options.settings;
    if (buffer.length >= batchSize || !cursor.iterator) return 0;
    return buffer[0]!.readAt + maxBatchingWindowSeconds * 1000 - Date.now();
  }

  /** A closed shard read to its end: checkpointed as finished, never read again. */
  private async finishShard(shardId: string): Promise<void> {
    await this.options.checkpoints.save(this.consumer, this.options.streamArn, {
      shardId,
      finished: true,
    });
    this.finished.add(shardId);
  }

  private async checkpoint(shardId: string, record: DynamoDBRecord): Promise<void> {
    await this.options.checkpoints.save(this.consumer, this.options.streamArn, {
      shardId,
      sequenceNumber: sequenceOf(record),
    });
    this.positions.set(shardId, sequenceOf(record));
  }

  /** Waits, or less when stopping; resolves false once stopped. */
  private sleep(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.sleepers.delete(wake);
        resolve(!this.stopped);
      }, ms);
      this.sleepers.add(wake);
    });
  }
}
