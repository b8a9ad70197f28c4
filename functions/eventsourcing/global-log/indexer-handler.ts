import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { createDynamoDbClient } from '../dynamodb-client.js';
import { eventLogKeys } from '../log-context.js';
import { logger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import {
  compareSequenceNumbers,
  eventsByStream,
  type StreamedEvent,
} from '../consumers/stream-records.js';
import { CONSUMER_METRICS } from '../consumers/metric-names.js';
import { GlobalLogIndexer, type IndexOutcome } from './indexer.js';
import { IndexerParking, type SettledStream } from './indexer-parking.js';
import type { GlobalLogTables } from './layout.js';
import { GLOBAL_LOG_EVENTS_INDEXED_METRIC, GLOBAL_LOG_LAG_METRIC } from './metric-names.js';

export interface GlobalLogIndexerHandlerOptions {
  readonly tables: GlobalLogTables;
  /** Defaults to a client for the function's region, or `DYNAMODB_ENDPOINT` locally. */
  readonly client?: DynamoDBClient;
  readonly positionsPerEpoch?: number;
  /** Defaults to Powertools Metrics (EMF) for the `globalLog` service. */
  readonly metrics?: Metrics;
  /**
   * Parks streams with a hole instead of retrying them (see `IndexerParking`); without it such a
   * stream is delivered again until its records expire.
   */
  readonly parking?: {
    readonly tableName: string;
    /** Its name in parked records, metrics and the operator's commands. */
    readonly consumer: string;
    readonly parkAfterAttempts?: number;
    /** Metrics of the parks, with the `consumer` dimension the consumers' alarms watch. */
    readonly metrics?: Metrics;
  };
}

export type GlobalLogIndexerHandler = ((
  event: DynamoDBStreamEvent,
) => Promise<DynamoDBBatchResponse>) & {
  /** The indexer behind the handler (created on first use). */
  indexer(): GlobalLogIndexer;
  /** Its parking, when it parks streams. */
  parking(): IndexerParking | undefined;
};

/**
 * The global log's indexer as a stream consumer (partial batch responses; a `BatchConsumer` of a
 * host, or a Lambda handler of its own). It takes events as stored: types and times are all the
 * log keeps, and upcasting changes neither, so an event that no longer fits its schema still gets
 * its position. It indexes a batch's events in the order the stream delivered them; a stream it
 * could not index is reported from its first record in the batch, so Lambda delivers it again
 * (with whatever follows, which the stream markers make harmless), unless `parking` parks it.
 */
export function createGlobalLogIndexerHandler(
  options: GlobalLogIndexerHandlerOptions,
): GlobalLogIndexerHandler {
  let client: DynamoDBClient | undefined;
  const getClient = () => (client ??= options.client ?? createDynamoDbClient());
  let indexer: GlobalLogIndexer | undefined;
  const getIndexer = () =>
    (indexer ??= new GlobalLogIndexer({
      client: getClient(),
      tables: options.tables,
      ...(options.positionsPerEpoch ? { positionsPerEpoch: options.positionsPerEpoch } : {}),
    }));
  let parking: IndexerParking | undefined;
  const getParking = () =>
    options.parking &&
    (parking ??= new IndexerParking({ ...options.parking, client: getClient() }));
  const metrics = options.metrics ?? createMetrics('globalLog');
  let parkMetrics: Metrics | undefined;
  const getParkMetrics = (consumer: string) =>
    (parkMetrics ??= options.parking?.metrics ?? createMetrics('consumers', { consumer }));

  const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const byStream = eventsByStream(event.Records);
    const delivered = [...byStream.values()]
      .flat()
      .sort((a, b) => compareSequenceNumbers(a.sequenceNumber, b.sequenceNumber));
    const parking = getParking();
    // Parked states are read alongside the indexing, so the happy path waits for no extra read.
    const [outcome, states] = await Promise.all([
      getIndexer().index(delivered.map(({ event }) => event)),
      parking?.states([...byStream.keys()]),
    ]);
    const settled: SettledStream[] = parking
      ? await parking.settle(byStream, outcome, states!)
      : [...outcome.failed].map(([streamId, error]) => ({ streamId, state: 'retry', error }));
    // A stream's records can arrive swapped: retry from the first of them the stream delivered.
    const retryFrom = settled
      .filter((stream) => stream.state === 'retry')
      .flatMap(({ streamId }) =>
        byStream.get(streamId)!.map(({ sequenceNumber }) => sequenceNumber),
      )
      .sort(compareSequenceNumbers)[0];
    report(outcome, settled, metrics, byStream);
    if (parking) reportParks(settled, getParkMetrics(parking.consumer));
    return { batchItemFailures: retryFrom ? [{ itemIdentifier: retryFrom }] : [] };
  };
  return Object.assign(handler, { indexer: getIndexer, parking: getParking });
}

function firstEventKeys(
  byStream: ReadonlyMap<string, readonly StreamedEvent[]>,
  streamId: string,
): Record<string, unknown> {
  const first = byStream.get(streamId)?.[0];
  return first ? eventLogKeys(first.event) : { streamId };
}

/**
 * Logs and measures a batch: each stream's line carries the correlation and causation ids of
 * its first delivered event.
 */
function report(
  outcome: IndexOutcome,
  settled: readonly SettledStream[],
  metrics: Metrics,
  byStream: ReadonlyMap<string, readonly StreamedEvent[]>,
): void {
  for (const { streamId, state, record, error } of settled) {
    const keys = firstEventKeys(byStream, streamId);
    if (state === 'retry') {
      logger.warn('Stream not indexed; it will be delivered again', {
        ...keys,
        error: error?.message,
        attempts: record?.attempts,
      });
    } else if (state === 'parked') {
      logger.error('Stream parked: the global log gives its events no position until a redrive', {
        ...keys,
        ...record,
      });
    } else if (state === 'queued') {
      logger.warn('Events queued behind a parked stream', {
        ...keys,
        parkedAtVersion: record?.version,
      });
    }
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

function reportParks(settled: readonly SettledStream[], metrics: Metrics): void {
  const parked = settled.filter(({ state }) => state === 'parked').length;
  if (parked === 0) return;
  metrics.addMetric(CONSUMER_METRICS.parked, MetricUnit.Count, parked);
  metrics.publishStoredMetrics();
}
