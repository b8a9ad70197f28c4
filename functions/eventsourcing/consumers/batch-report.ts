import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { logger } from '../logger.js';
import { CONSUMER_METRICS } from './metric-names.js';
import type { BatchOutcome } from './stream-outcomes.js';

/**
 * Logs and measures what a batch did for one consumer: each processed event's lag, failures
 * and parks. The line per processed event is a debug line: the lag metric covers each of them.
 */
export function report(consumer: string, outcome: BatchOutcome, metrics: Metrics): void {
  const now = Date.now();
  let applied = 0;
  for (const stream of outcome.streams) {
    for (const event of stream.applied) {
      const lagMs = Math.max(0, now - Date.parse(event.recordedAt));
      logger.debug('Consumed event', {
        consumer,
        streamId: event.streamId,
        version: event.version,
        type: event.type,
        lagMs,
      });
      metrics.addMetric(CONSUMER_METRICS.lag, MetricUnit.Milliseconds, lagMs);
      applied += 1;
    }
    if (stream.queued) {
      logger.warn('Events queued behind a parked stream', {
        consumer,
        streamId: stream.streamId,
        parkedAtVersion: stream.parked?.version,
      });
    } else if (stream.parked?.status === 'parked') {
      logger.error('Stream parked', { ...stream.parked });
      metrics.addMetric(CONSUMER_METRICS.parked, MetricUnit.Count, 1);
    } else if (stream.failure) {
      logger.warn('Stream will be delivered again', {
        consumer,
        streamId: stream.streamId,
        kind: stream.failure.kind,
        version: stream.failure.version,
        error: stream.failure.error.message,
        attempts: stream.parked?.attempts,
      });
    }
  }
  metrics.addMetric(CONSUMER_METRICS.applied, MetricUnit.Count, applied);
  if (outcome.retryFrom) metrics.addMetric(CONSUMER_METRICS.retries, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}
