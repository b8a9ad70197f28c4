/* eslint-disable max-lines -- predates the file size cap; split by responsibility when next changed */
import {
  DescribeStreamCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type DynamoDBStreamsClient,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type {
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import { logger } from '../functions/eventsourcing';
import type { StreamHostDeclaration } from '../functions/eventsourcing/declaration';
import type { FailureCondition, FailureDirectory } from './failure-destination';
import { lambdaContext, localFunctionArn } from './lambda-context';
import { toLambdaRecord } from './lambda-stream-records';
import { readableShards } from './shard-order';
import type { StreamCheckpoints } from './stream-checkpoints';

/** A Lambda handler for stream events, as `functions/` exports it. */
export type StreamHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse | void | undefined>;

export type StreamRunnerSettings = Pick<
  StreamHostDeclaration,
  | 'batchSize'
  | 'maxBatchingWindowSeconds'
  | 'maxRetryAttempts'
  | 'maxRecordAgeSeconds'
  | 'bisectBatchOnError'
>;

export interface StreamRunnerOptions {
  /** Names the reader's checkpoints and failure records; one per event source mapping. */
  readonly consumer: string;
  readonly streamArn: string;
  readonly streams: DynamoDBStreamsClient;
  readonly handler: StreamHandler;
  readonly settings: StreamRunnerSettings;
  readonly checkpoints: StreamCheckpoints;
  readonly failures: FailureDirectory;
  readonly functionName?: string;
  readonly timeoutSeconds?: number;
  readonly memoryMb?: number;
  /** Pause between polls of an empty shard (Lambda polls four times a second). */
  readonly pollIntervalMs?: number;
  /** Pause before retry `n` (1-based) of a failed batch. */
  readonly retryDelayMs?: (retry: number) => number;
}

interface BufferedRecord {
  readonly record: DynamoDBRecord;
  readonly readAt: number;
}

/** A batch on its way to the function, with the retries it has used. */
interface Attempt {
  readonly records: readonly DynamoDBRecord[];
  readonly retries: number;
  readonly invocations: number;
}

type InvocationResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly failedIndex: number;
      readonly functionError: boolean;
      readonly error: string;
    };

const DEFAULT_POLL_MS = 250;
const SHARD_DISCOVERY_MS = 1000;
const GET_RECORDS_LIMIT = 1000;
const MAX_BACKOFF_MS = 5000;
const sequenceOf = (record: DynamoDBRecord) => record.dynamodb!.SequenceNumber!;

/** Exponential from 100 ms, capped at 5 s: the wait before attempt `n` + 1. */
const backoffMs = (attempt: number) => Math.min(100 * 2 ** (attempt - 1), MAX_BACKOFF_MS);

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
  private readonly functionName: string;

  constructor(private readonly options: StreamRunnerOptions) {
    this.pollMs = options.pollIntervalMs ?? DEFAULT_POLL_MS;
    this.functionName = options.functionName ?? options.consumer;
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

  // eslint-disable-next-line complexity -- predates the complexity cap; split when next changed
  private async readShard(shard: Shard, checkpoint: string | undefined): Promise<void> {
    const shardId = shard.ShardId!;
    let lastRead = checkpoint;
    let iterator = await this.iteratorAfter(shardId, checkpoint);
    const buffer: BufferedRecord[] = [];
    const { batchSize, maxBatchingWindowSeconds } = this.options.settings;

    while (!this.stopped) {
      if (iterator && buffer.length < batchSize) {
        let page;
        try {
          page = await this.options.streams.send(
            new GetRecordsCommand({ ShardIterator: iterator, Limit: GET_RECORDS_LIMIT }),
          );
        } catch (error) {
          // eslint-disable-next-line max-depth -- predates the nesting cap; extract the inner loop when next changed
          if (!(error instanceof ExpiredIteratorException)) throw error;
          iterator = await this.iteratorAfter(shardId, lastRead);
          continue;
        }
        const readAt = Date.now();
        for (const record of page.Records ?? []) {
          buffer.push({
            record: toLambdaRecord(record, this.options.streamArn),
            readAt,
          });
          lastRead = record.dynamodb?.SequenceNumber ?? lastRead;
        }
        iterator = page.NextShardIterator;
      }
      if (buffer.length === 0) {
        if (!iterator) {
          await this.options.checkpoints.save(this.consumer, this.options.streamArn, {
            shardId,
            finished: true,
          });
          this.finished.add(shardId);
          return;
        }
        await this.sleep(this.pollMs);
        continue;
      }
      const windowEndsAt = buffer[0]!.readAt + maxBatchingWindowSeconds * 1000;
      if (buffer.length < batchSize && iterator && Date.now() < windowEndsAt) {
        await this.sleep(Math.min(this.pollMs, windowEndsAt - Date.now()));
        continue;
      }
      const batch = buffer.splice(0, batchSize).map((buffered) => buffered.record);
      await this.deliver(shardId, batch);
    }
  }

  /** Delivers one batch until every record is handled: applied, discarded, or sent on. */
  // eslint-disable-next-line complexity -- predates the complexity cap; split when next changed
  private async deliver(shardId: string, records: DynamoDBRecord[]): Promise<void> {
    const { maxRetryAttempts, bisectBatchOnError } = this.options.settings;
    const pending: Attempt[] = [{ records, retries: 0, invocations: 0 }];
    while (pending.length > 0) {
      const attempt = pending.shift()!;
      const fresh = await this.discardExpired(shardId, attempt);
      if (fresh.length === 0) continue;
      if (attempt.retries > 0) {
        const stillRunning = await this.sleep(this.retryDelay(attempt.retries));
        if (!stillRunning) return; // not checkpointed: delivered again after a restart
      }
      const result = await this.invoke(fresh);
      const invocations = attempt.invocations + 1;
      if (result.ok) {
        await this.checkpoint(shardId, fresh.at(-1)!);
        continue;
      }
      if (result.failedIndex > 0) await this.checkpoint(shardId, fresh[result.failedIndex - 1]!);
      const rest = fresh.slice(result.failedIndex);
      if (bisectBatchOnError && result.functionError && rest.length > 1) {
        const half = Math.ceil(rest.length / 2);
        pending.unshift(
          { records: rest.slice(0, half), retries: attempt.retries, invocations },
          { records: rest.slice(half), retries: attempt.retries, invocations },
        );
        continue;
      }
      if (maxRetryAttempts >= 0 && attempt.retries >= maxRetryAttempts) {
        await this.sendToFailureDestination(
          shardId,
          rest,
          'RetryAttemptsExhausted',
          invocations,
          result,
        );
        continue;
      }
      if (this.stopped) return;
      pending.unshift({ records: rest, retries: attempt.retries + 1, invocations });
    }
  }

  private async discardExpired(shardId: string, attempt: Attempt): Promise<DynamoDBRecord[]> {
    const { maxRecordAgeSeconds } = this.options.settings;
    if (maxRecordAgeSeconds < 0) return [...attempt.records];
    const oldest = Date.now() / 1000 - maxRecordAgeSeconds;
    const expired = attempt.records.filter(
      (record) => (record.dynamodb?.ApproximateCreationDateTime ?? Infinity) < oldest,
    );
    if (expired.length === 0) return [...attempt.records];
    await this.sendToFailureDestination(shardId, expired, 'RecordAgeExceeded', attempt.invocations);
    const fresh = attempt.records.filter((record) => !expired.includes(record));
    if (fresh.length === 0) await this.checkpoint(shardId, attempt.records.at(-1)!);
    return fresh;
  }

  private async invoke(records: DynamoDBRecord[]): Promise<InvocationResult> {
    const timeoutMs = (this.options.timeoutSeconds ?? 60) * 1000;
    const deadline = Date.now() + timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      const response = await Promise.race([
        this.options.handler(
          { Records: records },
          lambdaContext(this.functionName, this.options.memoryMb ?? 512, deadline),
        ),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`Task timed out after ${timeoutMs / 1000} seconds`)),
            timeoutMs,
          );
        }),
      ]);
      return this.interpret(records, response);
    } catch (error) {
      logger.warn('Stream handler failed', { consumer: this.consumer, error });
      return { ok: false, failedIndex: 0, functionError: true, error: String(error) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Partial batch response semantics of Lambda for streams. */
  private interpret(
    records: DynamoDBRecord[],
    response: DynamoDBBatchResponse | void | undefined,
  ): InvocationResult {
    const failures = response?.batchItemFailures ?? [];
    if (failures.length === 0) return { ok: true };
    const indexes = failures.map((failure) =>
      records.findIndex((record) => sequenceOf(record) === failure.itemIdentifier),
    );
    const error = `batchItemFailures: ${failures.map((failure) => failure.itemIdentifier).join(', ')}`;
    // An empty, null or unknown identifier makes the whole batch a failure.
    if (indexes.some((index) => index < 0)) {
      return { ok: false, failedIndex: 0, functionError: false, error };
    }
    return { ok: false, failedIndex: Math.min(...indexes), functionError: false, error };
  }

  // eslint-disable-next-line max-params -- predates the parameter cap; take an options object when next changed
  private async sendToFailureDestination(
    shardId: string,
    records: DynamoDBRecord[],
    condition: FailureCondition,
    invokeCount: number,
    result?: InvocationResult,
  ): Promise<void> {
    const file = await this.options.failures.send({
      consumer: this.consumer,
      functionArn: localFunctionArn(this.functionName),
      streamArn: this.options.streamArn,
      shardId,
      condition,
      invokeCount,
      records,
      ...(result && !result.ok
        ? {
            lastError: result.error,
            ...(result.functionError ? { functionError: 'Unhandled' } : {}),
          }
        : {}),
    });
    logger.error('Stream records sent to the on-failure destination', {
      consumer: this.consumer,
      condition,
      records: records.length,
      file,
    });
    await this.checkpoint(shardId, records.at(-1)!);
  }

  private async checkpoint(shardId: string, record: DynamoDBRecord): Promise<void> {
    await this.options.checkpoints.save(this.consumer, this.options.streamArn, {
      shardId,
      sequenceNumber: sequenceOf(record),
    });
    this.positions.set(shardId, sequenceOf(record));
  }

  private retryDelay(retry: number): number {
    return this.options.retryDelayMs?.(retry) ?? backoffMs(retry);
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
