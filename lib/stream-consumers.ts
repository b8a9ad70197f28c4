import { Duration } from 'aws-cdk-lib';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { DeclaredStreamConsumer } from './declaration';
import type { FailureRecords } from './failure-records';
import type { SystemFunction } from './functions';
import type { SystemTables } from './tables';

/**
 * Only new event items reach consumers: events are never modified or removed, and an item
 * without an event id and type is not an event.
 */
const eventInsertFilter = FilterCriteria.filter({
  eventName: ['INSERT'],
  dynamodb: {
    NewImage: {
      eventId: { S: FilterRule.exists() },
      type: { S: FilterRule.exists() },
    },
  },
});

/**
 * One event source mapping per declared consumer, with the declared batching and retry
 * settings, in shard order from the oldest record (one batch per shard at a time keeps each
 * stream's events in order), reporting failures per record, and sending what it gives up on to
 * the failure-records bucket.
 */
export function connectStreamConsumer(
  consumer: DeclaredStreamConsumer,
  fn: SystemFunction,
  tables: SystemTables,
  failureRecords: FailureRecords,
): void {
  const source = tables.get(consumer.source).table;
  fn.function.addEventSource(
    new DynamoEventSource(source, {
      startingPosition: StartingPosition[consumer.startingPosition],
      batchSize: consumer.batchSize,
      maxBatchingWindow: Duration.seconds(consumer.maxBatchingWindowSeconds),
      retryAttempts: consumer.maxRetryAttempts,
      maxRecordAge: Duration.seconds(consumer.maxRecordAgeSeconds),
      bisectBatchOnError: consumer.bisectBatchOnError,
      parallelizationFactor: consumer.parallelizationFactor,
      reportBatchItemFailures: true,
      filters: [eventInsertFilter],
      onFailure: failureRecords.destination(),
    }),
  );
}
