import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { createDynamoDbClient } from '../dynamodb-client';
import { logger } from '../logger';
import { createMetrics } from '../metrics';
import { compareSequenceNumbers, eventsByStream } from '../consumers/stream-records';
import { GlobalLogIndexer, type IndexOutcome } from './indexer';
import type { GlobalLogTables } from './layout';
import { GLOBAL_LOG_EVENTS_INDEXED_METRIC, GLOBAL_LOG_LAG_METRIC } from './metric-names';

export interface GlobalLogIndexerHandlerOptions {
  readonly tables: GlobalLogTables;
  /** Defaults to a client for the function's region, or `DYNAMODB_ENDPOINT` locally. */
  readonly client?: DynamoDBClient;
  readonly positionsPerEpoch?: number;
  /** Defaults to Powertools Metrics (EMF) for the `globalLog` service. */
  readonly metrics?: Metrics;
}

export type GlobalLogIndexerHandler = ((
  event: DynamoDBStreamEvent,
) => Promise<DynamoDBBatchResponse>) & {
  /** The indexer behind the handler (created on first use). */
  indexer(): GlobalLogIndexer;
};

/**
 * The global log's indexer as a stream consumer (partial batch responses; a `BatchConsumer` of a
 * host, or a Lambda handler of its own). It takes events as stored: types and times are all the
 * log keeps, and upcasting changes neither, so an event that no longer fits its schema still gets
 * its position. It indexes
 * a batch's events in the order the stream delivered them; a stream it could not index is
 * reported from its first record in the batch, so Lambda delivers it again (with whatever
 * follows, which the stream markers make harmless).
 */
export function createGlobalLogIndexerHandler(
  options: GlobalLogIndexerHandlerOptions,
): GlobalLogIndexerHandler {
  let indexer: GlobalLogIndexer | undefined;
  const getIndexer = () =>
    (indexer ??= new GlobalLogIndexer({
      client: options.client ?? createDynamoDbClient(),
      tables: options.tables,
      ...(options.positionsPerEpoch ? { positionsPerEpoch: options.positionsPerEpoch } : {}),
    }));
  const metrics = options.metrics ?? createMetrics('globalLog');

  const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const byStream = eventsByStream(event.Records);
    const delivered = [...byStream.values()]
      .flat()
      .sort((a, b) => compareSequenceNumbers(a.sequenceNumber, b.sequenceNumber));
    const outcome = await getIndexer().index(delivered.map(({ event }) => event));
    // A stream's records can arrive swapped: retry from the first of them the stream delivered.
    const retryFrom = [...outcome.failed.keys()]
      .flatMap((streamId) => byStream.get(streamId)!.map(({ sequenceNumber }) => sequenceNumber))
      .sort(compareSequenceNumbers)[0];
    report(outcome, metrics);
    return { batchItemFailures: retryFrom ? [{ itemIdentifier: retryFrom }] : [] };
  };
  return Object.assign(handler, { indexer: getIndexer });
}

function report(outcome: IndexOutcome, metrics: Metrics): void {
  for (const [streamId, error] of outcome.failed) {
    logger.warn('Stream not indexed; it will be delivered again', {
      streamId,
      error: error.message,
    });
  }
  const newest = outcome.indexed.reduce<string | undefined>(
    (latest, entry) =>
      latest === undefined || entry.recordedAt > latest ? entry.recordedAt : latest,
    undefined,
  );
  if (newest) {
    metrics.addMetric(
      GLOBAL_LOG_LAG_METRIC,
      MetricUnit.Milliseconds,
      Math.max(0, Date.now() - Date.parse(newest)),
    );
  }
  metrics.addMetric(GLOBAL_LOG_EVENTS_INDEXED_METRIC, MetricUnit.Count, outcome.indexed.length);
  metrics.publishStoredMetrics();
}
