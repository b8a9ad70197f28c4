import type { DynamoDBRecord } from 'aws-lambda';
import { logger } from '../functions/eventsourcing';
import type { FailureCondition } from './failure-destination';
import { localFunctionArn } from './lambda-context';
import { invokeStreamHandler, type InvocationResult } from './stream-invocation';
import type { StreamRunnerOptions } from './stream-runner-options';

/** A batch on its way to the function, with the retries it has used. */
interface Attempt {
  readonly records: readonly DynamoDBRecord[];
  readonly retries: number;
  readonly invocations: number;
}

/** Records sent to the on-failure destination, and why. */
interface Failure {
  readonly records: readonly DynamoDBRecord[];
  readonly condition: FailureCondition;
  readonly invokeCount: number;
  readonly result?: InvocationResult;
}

/** What delivery needs of the runner it works for. */
export interface DeliveryHost {
  readonly isStopped: () => boolean;
  /** Waits, or less when stopping; resolves false once stopped. */
  readonly sleep: (ms: number) => Promise<boolean>;
  /** Saves the shard's position after `record`. */
  readonly checkpoint: (shardId: string, record: DynamoDBRecord) => Promise<void>;
}

/** Exponential from 100 ms, capped at 5 s: the wait before attempt `n` + 1. */
export const backoffMs = (attempt: number) => Math.min(100 * 2 ** (attempt - 1), 5000);

/**
 * Delivers batches of one shard to the function the way Lambda's event source mapping does:
 * partial batch responses (retry from the lowest failed sequence number), bisect on function
 * errors (halves do not use up retries), bounded retries, maximum record age, and an on-failure
 * destination.
 */
export class BatchDelivery {
  private readonly functionName: string;

  constructor(
    private readonly options: StreamRunnerOptions,
    private readonly host: DeliveryHost,
  ) {
    this.functionName = options.functionName ?? options.consumer;
  }

  /** Delivers one batch until every record is handled: applied, discarded, or sent on. */
  async deliver(shardId: string, records: DynamoDBRecord[]): Promise<void> {
    const pending: Attempt[] = [{ records, retries: 0, invocations: 0 }];
    while (pending.length > 0) {
      const next = await this.attempt(shardId, pending.shift()!);
      if (next === 'stopped') return; // not checkpointed: delivered again after a restart
      pending.unshift(...next);
    }
  }

  /** One attempt at a batch: the attempts it leads to (none once handled), or `stopped`. */
  private async attempt(shardId: string, attempt: Attempt): Promise<Attempt[] | 'stopped'> {
    const fresh = await this.discardExpired(shardId, attempt);
    if (fresh.length === 0) return [];
    if (attempt.retries > 0) {
      const stillRunning = await this.host.sleep(this.retryDelay(attempt.retries));
      if (!stillRunning) return 'stopped';
    }
    const result = await invokeStreamHandler(
      { ...this.options, functionName: this.functionName },
      fresh,
    );
    if (result.ok) {
      await this.host.checkpoint(shardId, fresh.at(-1)!);
      return [];
    }
    if (result.failedIndex > 0) {
      await this.host.checkpoint(shardId, fresh[result.failedIndex - 1]!);
    }
    const rest = fresh.slice(result.failedIndex);
    const failed = { ...attempt, records: rest, invocations: attempt.invocations + 1 };
    return this.afterFailure(shardId, failed, result);
  }

  /** Bisects the failed records, sends them on once out of retries, or retries them. */
  private async afterFailure(
    shardId: string,
    { records, retries, invocations }: Attempt,
    result: InvocationResult & { ok: false },
  ): Promise<Attempt[] | 'stopped'> {
    const { maxRetryAttempts, bisectBatchOnError } = this.options.settings;
    if (bisectBatchOnError && result.functionError && records.length > 1) {
      const half = Math.ceil(records.length / 2);
      return [
        { records: records.slice(0, half), retries, invocations },
        { records: records.slice(half), retries, invocations },
      ];
    }
    if (maxRetryAttempts >= 0 && retries >= maxRetryAttempts) {
      const condition = 'RetryAttemptsExhausted';
      await this.sendToFailureDestination(shardId, {
        records,
        condition,
        invokeCount: invocations,
        result,
      });
      return [];
    }
    if (this.host.isStopped()) return 'stopped';
    return [{ records, retries: retries + 1, invocations }];
  }

  private async discardExpired(shardId: string, attempt: Attempt): Promise<DynamoDBRecord[]> {
    const { maxRecordAgeSeconds } = this.options.settings;
    if (maxRecordAgeSeconds < 0) return [...attempt.records];
    const oldest = Date.now() / 1000 - maxRecordAgeSeconds;
    const expired = attempt.records.filter(
      (record) => (record.dynamodb?.ApproximateCreationDateTime ?? Infinity) < oldest,
    );
    if (expired.length === 0) return [...attempt.records];
    await this.sendToFailureDestination(shardId, {
      records: expired,
      condition: 'RecordAgeExceeded',
      invokeCount: attempt.invocations,
    });
    const fresh = attempt.records.filter((record) => !expired.includes(record));
    if (fresh.length === 0) await this.host.checkpoint(shardId, attempt.records.at(-1)!);
    return fresh;
  }

  private async sendToFailureDestination(shardId: string, failure: Failure): Promise<void> {
    const { records, condition, invokeCount, result } = failure;
    const file = await this.options.failures.send({
      consumer: this.options.consumer,
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
      consumer: this.options.consumer,
      condition,
      records: records.length,
      file,
    });
    await this.host.checkpoint(shardId, records.at(-1)!);
  }

  private retryDelay(retry: number): number {
    return this.options.retryDelayMs?.(retry) ?? backoffMs(retry);
  }
}
