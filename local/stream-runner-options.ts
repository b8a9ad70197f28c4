import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { StreamHostDeclaration } from '../functions/eventsourcing/declaration';
import type { FailureDirectory } from './failure-destination';
import type { FilterPattern } from './record-filter';
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
  /**
   * Lambda's filter criteria: only records matching one of them are delivered (all when none
   * is given); the others are passed by, as Lambda drops them.
   */
  readonly filters?: readonly FilterPattern[];
  /** Pause between polls of an empty shard (Lambda polls four times a second). */
  readonly pollIntervalMs?: number;
  /** Pause before retry `n` (1-based) of a failed batch. */
  readonly retryDelayMs?: (retry: number) => number;
}
