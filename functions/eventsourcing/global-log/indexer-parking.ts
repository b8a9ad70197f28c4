import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StreamGapError } from '../errors.js';
import type { RedriveOutcome } from '../consumers/stream-outcomes.js';
import { DEFAULT_PARK_AFTER_ATTEMPTS } from '../consumers/consumer-runtime.js';
import { ParkedStreams, type ParkedStream } from '../consumers/parked-streams.js';
import type { StreamedEvent } from '../consumers/stream-records.js';
import type { StreamFailure } from '../consumers/version-guard.js';
import type { GlobalLogIndexer, IndexOutcome } from './indexer.js';

export interface IndexerParkingOptions {
  readonly client: DynamoDBClient;
  /** The parked-streams table every consumer records its failures in. */
  readonly tableName: string;
  /** The indexer's name in its parked records (its consumer name in the stream host). */
  readonly consumer: string;
  /** Deliveries of a stream with a hole before it is parked (default 2). */
  readonly parkAfterAttempts?: number;
}

/** What became of one stream of a batch the indexer could not index. */
export interface SettledStream {
  readonly streamId: string;
  /**
   * - `indexed`: indexed this time, its record cleared (or kept parked while events still wait);
   * - `retry`: the batch must be delivered again from this stream's first record;
   * - `parked`: parked by this batch; `queued`: its events wait behind an earlier park.
   */
  readonly state: 'indexed' | 'retry' | 'parked' | 'queued';
  readonly record?: ParkedStream;
  readonly error?: Error;
}

const MAX_RELEASE_ROUNDS = 10;

/**
 * Parking for the global log's indexer, in the parked-streams table every consumer uses. A
 * stream with a hole (a version missing from the events table) can never be indexed in order:
 * retried, it would hold the whole shard, and every other consumer of the host with it, until its
 * records expire. After `parkAfterAttempts` deliveries it is parked instead: its later events
 * wait behind it (the log gives them no position), other streams flow, and `redrive` indexes it
 * from its marker once the hole is filled. Any other failure (lost page appends, DynamoDB
 * unreachable) is retried with the batch, as before.
 */
export class IndexerParking {
  readonly parking: ParkedStreams;
  readonly consumer: string;
  private readonly parkAfterAttempts: number;

  constructor(options: IndexerParkingOptions) {
    this.parking = new ParkedStreams(
      DynamoDBDocumentClient.from(options.client, {
        marshallOptions: { removeUndefinedValues: true },
      }),
      options.tableName,
    );
    this.consumer = options.consumer;
    this.parkAfterAttempts = options.parkAfterAttempts ?? DEFAULT_PARK_AFTER_ATTEMPTS;
  }

  /** The parked and failing records of a batch's streams (read while the batch is indexed). */
  states(streamIds: readonly string[]): Promise<Map<string, ParkedStream>> {
    return this.parking.states(this.consumer, streamIds);
  }

  /**
   * Records what a batch did to streams that have a record or failed: a stream indexed again is
   * cleared (released when parked and nothing waits past what it indexed), a hole counts an
   * attempt and parks, a parked stream that still fails queues its events behind the park.
   */
  async settle(
    byStream: ReadonlyMap<string, readonly StreamedEvent[]>,
    outcome: IndexOutcome,
    states: ReadonlyMap<string, ParkedStream>,
  ): Promise<SettledStream[]> {
    const streamIds = new Set([...outcome.failed.keys(), ...states.keys()]);
    return Promise.all(
      [...streamIds].map((streamId) =>
        this.settleStream(
          streamId,
          Math.max(...byStream.get(streamId)!.map(({ event }) => event.version)),
          outcome.failed.get(streamId),
          states.get(streamId),
        ),
      ),
    );
  }

  private async settleStream(
    streamId: string,
    lastOffered: number,
    error: Error | undefined,
    previous: ParkedStream | undefined,
  ): Promise<SettledStream> {
    try {
      if (error) return await this.recordFailed(streamId, lastOffered, error, previous);
      if (previous?.status === 'parked') {
        await this.parking.release(this.consumer, streamId, lastOffered);
      } else {
        await this.parking.clearFailing(this.consumer, streamId);
      }
      return { streamId, state: 'indexed' };
    } catch (recordError) {
      // The failure could not even be recorded: the batch is delivered again.
      return { streamId, state: 'retry', error: error ?? (recordError as Error) };
    }
  }

  private async recordFailed(
    streamId: string,
    lastOffered: number,
    error: Error,
    previous: ParkedStream | undefined,
  ): Promise<SettledStream> {
    if (!(error instanceof StreamGapError)) return { streamId, state: 'retry', error };
    if (previous?.status === 'parked') {
      const queued = await this.parking.queueBehind(this.consumer, streamId, lastOffered);
      return { streamId, state: queued ? 'queued' : 'retry', record: previous, error };
    }
    const record = await this.parking.recordFailure(
      { consumer: this.consumer, streamId, previous },
      gapFailure(error),
      { parkAfterAttempts: this.parkAfterAttempts, queuedUpTo: lastOffered },
    );
    return { streamId, state: record.status === 'parked' ? 'parked' : 'retry', record, error };
  }

  /**
   * Indexes parked streams (or the named ones) from their markers to their ends, then releases
   * them; a stream that still cannot be indexed stays parked with the new reason.
   */
  async redrive(
    indexer: GlobalLogIndexer,
    streamIds?: readonly string[],
  ): Promise<RedriveOutcome[]> {
    const targets = await this.parking.redriveTargets(this.consumer, streamIds);
    const outcomes: RedriveOutcome[] = [];
    for (const { streamId, record } of targets) {
      outcomes.push(await this.redriveStream(indexer, streamId, record));
    }
    return outcomes;
  }

  private async redriveStream(
    indexer: GlobalLogIndexer,
    streamId: string,
    record: ParkedStream | undefined,
  ): Promise<RedriveOutcome> {
    let indexedUpTo = 0;
    for (let round = 0; round < MAX_RELEASE_ROUNDS; round++) {
      const result = await indexer.indexStream(streamId);
      indexedUpTo = result.indexedUpTo;
      if (result.error) {
        const failure =
          result.error instanceof StreamGapError
            ? gapFailure(result.error)
            : { kind: 'transient' as const, version: indexedUpTo + 1, error: result.error };
        if (record) await this.parking.recordRedriveFailure(record, failure);
        return { streamId, released: false, appliedVersion: indexedUpTo, failure };
      }
      if (!record || (await this.parking.release(this.consumer, streamId, indexedUpTo))) {
        return { streamId, released: true, appliedVersion: indexedUpTo };
      }
    }
    return { streamId, released: false, appliedVersion: indexedUpTo };
  }
}

const gapFailure = (error: StreamGapError): StreamFailure => ({
  kind: 'gap',
  version: error.expectedVersion,
  error,
});
