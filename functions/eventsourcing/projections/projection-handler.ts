import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { createMetrics } from '../metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { tableNameFromEnv } from '../../system';
import { createDynamoDbClient } from '../dynamodb-client';
import { logger } from '../logger';
import type { Projection } from '../projection';
import type { RecordedEvent } from '../types';
import type { Upcasters } from '../upcasting';
import { ProjectionRuntime, type BatchOutcome, type ProjectionTables } from './projection-runtime';
import { STREAMS_PARKED_METRIC } from './metric-names';
import { eventsByStream } from './stream-records';

export interface ProjectionHandlerOptions {
  readonly upcasters?: Upcasters;
  /** Failed attempts at one event before its stream is parked (default 3). */
  readonly parkAfterAttempts?: number;
  /** Streams of one batch projected at the same time (default 8). */
  readonly concurrency?: number;
  /** Defaults to a client for the function's region, or `DYNAMODB_ENDPOINT` locally. */
  readonly client?: DynamoDBClient;
  /** Physical table names; read from the function's environment when omitted. */
  readonly tables?: ProjectionTables;
  /** Defaults to Powertools Metrics (EMF) with a `projection` dimension. */
  readonly metrics?: Metrics;
}

/** A Lambda handler for a DynamoDB Streams event source mapping with partial batch responses. */
export type ProjectionHandler = ((
  event: DynamoDBStreamEvent,
  context?: Context,
) => Promise<DynamoDBBatchResponse>) & {
  readonly projection: Projection;
  /** The runtime behind the handler (created on first use), for redrive and rebuild. */
  runtime(): ProjectionRuntime;
};

/** Table names as a projection Lambda finds them in its environment. */
export function projectionTablesFromEnv(
  projection: Pick<Projection, 'readModel'>,
  env: NodeJS.ProcessEnv = process.env,
): ProjectionTables {
  return {
    events: tableNameFromEnv('events', env),
    readModel: tableNameFromEnv(projection.readModel, env),
    parkedStreams: tableNameFromEnv('parkedStreams', env),
  };
}

/**
 * Turns a projection into the Lambda handler of its stream consumer. Declare the function with
 * `trigger: 'stream'` and tables `{ events: 'read', <readModel>: 'readWrite',
 * parkedStreams: 'readWrite' }`. The handler returns `{ batchItemFailures }` naming the first
 * record to deliver again, so the event source mapping needs `ReportBatchItemFailures`.
 */
export function createProjectionHandler<Event extends RecordedEvent>(
  projection: Projection<Event>,
  options: ProjectionHandlerOptions = {},
): ProjectionHandler {
  const erased = projection as unknown as Projection;
  let runtime: ProjectionRuntime | undefined;
  const getRuntime = () =>
    (runtime ??= new ProjectionRuntime(erased, {
      client: options.client ?? createDynamoDbClient(),
      tables: options.tables ?? projectionTablesFromEnv(projection),
      ...(options.upcasters ? { upcasters: options.upcasters } : {}),
      ...(options.parkAfterAttempts ? { parkAfterAttempts: options.parkAfterAttempts } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    }));
  const metrics = options.metrics ?? createMetrics('projections', { projection: projection.name });

  const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const projector = getRuntime();
    const outcome = await projector.projectBatch(
      eventsByStream(event.Records, projector.upcasters),
    );
    report(projection.name, outcome, metrics);
    return {
      batchItemFailures: outcome.retryFrom ? [{ itemIdentifier: outcome.retryFrom }] : [],
    };
  };
  return Object.assign(handler, { projection: erased, runtime: getRuntime });
}

/**
 * Logs and measures what a batch did: each applied event's lag, failures and parks. The line per
 * applied event is a debug line: at the functions' INFO level it would log every event of the
 * table (those the projection ignores too), while the lag metric already covers each of them.
 */
function report(projection: string, outcome: BatchOutcome, metrics: Metrics): void {
  const now = Date.now();
  let applied = 0;
  for (const stream of outcome.streams) {
    for (const event of stream.applied) {
      const lagMs = lagOf(event, now);
      logger.debug('Projected event', {
        projection,
        streamId: event.streamId,
        version: event.version,
        type: event.type,
        lagMs,
      });
      metrics.addMetric('ProjectionLag', MetricUnit.Milliseconds, lagMs);
      applied += 1;
    }
    if (stream.queued) {
      logger.warn('Events queued behind a parked stream', {
        projection,
        streamId: stream.streamId,
        parkedAtVersion: stream.parked?.version,
      });
    } else if (stream.parked?.status === 'parked') {
      logger.error('Stream parked', { ...stream.parked });
      metrics.addMetric(STREAMS_PARKED_METRIC, MetricUnit.Count, 1);
    } else if (stream.failure) {
      logger.warn('Stream will be delivered again', {
        projection,
        streamId: stream.streamId,
        kind: stream.failure.kind,
        version: stream.failure.version,
        error: stream.failure.error.message,
        attempts: stream.parked?.attempts,
      });
    }
  }
  metrics.addMetric('ProjectionEventsApplied', MetricUnit.Count, applied);
  if (outcome.retryFrom) metrics.addMetric('ProjectionBatchRetries', MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}

const lagOf = (event: RecordedEvent, now: number) =>
  Math.max(0, now - Date.parse(event.recordedAt));
