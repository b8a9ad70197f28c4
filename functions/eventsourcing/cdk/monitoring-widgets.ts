import { Duration } from 'aws-cdk-lib';
import { GraphWidget, MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { failureRecordsMetricsFilter, type FailureRecords } from './failure-records.js';
import type { SystemFunction } from './functions.js';
import type { SystemHttpApi } from './http-api.js';

/** The period of the alarms and most graphs. */
export const FIVE_MINUTES = Duration.minutes(5);

/**
 * The oldest record a stream host's mapping handed it (`AWS/Lambda` `IteratorAge` by
 * `FunctionName`: each host has exactly one mapping). Lambda reports it for every batch.
 */
export const iteratorAge = (fn: SystemFunction) =>
  fn.function.metric('IteratorAge', { statistic: 'Maximum', period: FIVE_MINUTES });

/**
 * Records Lambda wrote to the failure-records bucket (the bucket's request metrics filter:
 * only the mappings write to it, one object per failed batch).
 */
export const failureRecordsMetric = (failureRecords: FailureRecords) =>
  new Metric({
    namespace: 'AWS/S3',
    metricName: 'PutRequests',
    dimensionsMap: {
      BucketName: failureRecords.bucket.bucketName,
      FilterId: failureRecordsMetricsFilter,
    },
    statistic: 'Sum',
    period: FIVE_MINUTES,
  });

/**
 * 1 in a period when the host's table was written and its mapping polled no record of the
 * stream (`PolledEventCount` counts records read, before the mapping's filter), 0 when it
 * polled some; no data when the table was not written, so an idle system never breaches.
 */
export const silenceExpression = (hostKey: string, source: ITable, mappingId: string) =>
  new MathExpression({
    expression: 'IF(written > 0 AND FILL(polled, 0) == 0, 1, 0)',
    usingMetrics: {
      written: source.metricConsumedWriteCapacityUnits({ period: FIVE_MINUTES }),
      polled: new Metric({
        namespace: 'AWS/Lambda',
        metricName: 'PolledEventCount',
        dimensionsMap: { EventSourceMappingUUID: mappingId },
        statistic: 'Sum',
        period: FIVE_MINUTES,
      }),
    },
    label: `${hostKey} silent`,
    period: FIVE_MINUTES,
  });

/** Latency and errors of each command route (the stage has detailed metrics enabled). */
export function routeWidgets(
  httpApi: SystemHttpApi,
  commandRoutes: readonly string[],
): GraphWidget[] {
  const byRoute = (metricName: string, route: string, statistic: string) =>
    new Metric({
      namespace: 'AWS/ApiGateway',
      metricName,
      dimensionsMap: {
        ApiId: httpApi.api.apiId,
        Stage: httpApi.stage.stageName,
        Route: route,
      },
      statistic,
      period: FIVE_MINUTES,
      label: route,
    });
  return [
    new GraphWidget({
      title: 'Command latency by route (p99, ms)',
      left: commandRoutes.map((route) => byRoute('Latency', route, 'p99')),
      width: 12,
    }),
    new GraphWidget({
      title: 'Command errors by route (4xx left, 5xx right)',
      left: commandRoutes.map((route) => byRoute('4xx', route, 'Sum')),
      right: commandRoutes.map((route) => byRoute('5xx', route, 'Sum')),
      width: 12,
    }),
  ];
}

/** Writes to the events table: appends are all that write it. */
export const appendRateWidget = (eventsTable: ITable) =>
  new GraphWidget({
    title: 'Append rate: events table writes (WCU per minute)',
    left: [
      eventsTable.metricConsumedWriteCapacityUnits({
        period: Duration.minutes(1),
        label: 'Events table writes',
      }),
    ],
    width: 24,
  });

/** Invocations Lambda refused for want of concurrency, per function. */
export const throttlesWidget = (functions: readonly SystemFunction[]) =>
  new GraphWidget({
    title: 'Function throttles',
    left: functions.map((fn) => fn.function.metricThrottles({ label: fn.key })),
    width: 24,
  });
