import { Duration } from 'aws-cdk-lib';
import { FilterCriteria, MetricType, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { EVENT_INSERT_PATTERN, type StreamHostDeclaration } from '../declaration/index.js';
import type { FailureRecords } from './failure-records.js';
import type { SystemFunction } from './functions.js';
import type { SystemTables } from './tables.js';

/** Only new event items reach consumers (see `EVENT_INSERT_PATTERN`). */
const eventInsertFilter = FilterCriteria.filter(EVENT_INSERT_PATTERN);

/**
 * The one event source mapping of a stream host, with the declared batching and retry
 * settings, in shard order from the oldest record (one batch per shard at a time keeps each
 * stream's events in order), reporting failures per record, and sending what it gives up on to
 * the failure-records bucket. The mapping reports its event counts (`AWS/Lambda`
 * `PolledEventCount` and siblings, by `EventSourceMappingUUID`), so an alarm sees a host that
 * reads nothing while its table is written. Returns the mapping's id.
 */
export function connectStreamHost(
  host: StreamHostDeclaration,
  fn: SystemFunction,
  tables: SystemTables,
  failureRecords: FailureRecords,
): string {
  const source = tables.get(host.source).table;
  const eventSource = new DynamoEventSource(source, {
    startingPosition: StartingPosition[host.startingPosition],
    batchSize: host.batchSize,
    maxBatchingWindow: Duration.seconds(host.maxBatchingWindowSeconds),
    retryAttempts: host.maxRetryAttempts,
    maxRecordAge: Duration.seconds(host.maxRecordAgeSeconds),
    bisectBatchOnError: host.bisectBatchOnError,
    parallelizationFactor: host.parallelizationFactor,
    reportBatchItemFailures: true,
    filters: [eventInsertFilter],
    onFailure: failureRecords.destination(),
    metricsConfig: { metrics: [MetricType.EVENT_COUNT] },
  });
  fn.function.addEventSource(eventSource);
  return eventSource.eventSourceMappingId;
}
