import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { eventLogKeys } from '../log-context.js';
import { logger } from '../logger.js';
import { CONSUMER_METRICS } from './metric-names.js';
import type { BatchOutcome, StreamOutcome } from './stream-outcomes.js';
import type { StreamedEvent } from './stream-records.js';

/**
 * The keys of the event a stream's line is about, when it was delivered: the first one queued,
 * or the one that failed.
 */
function keysOf(
  stream: StreamOutcome,
  delivered: ReadonlyMap<string, readonly StreamedEvent[]>,
): Record<string, unknown> {
  const events = delivered.get(stream.streamId) ?? [];
  const version = stream.queued
    ? events[0]?.event.version
    : (stream.failure?.version ?? stream.parked?.version);
  const about = events.find(({ event }) => event.version === version);
  return about ? eventLogKeys(about.event) : {};
}

/** Logs a stream that did not go through: queued behind a park, parked, or to be retried. */
function reportStopped(
  consumer: string,
  stream: StreamOutcome,
  delivered: ReadonlyMap<string, readonly StreamedEvent[]>,
  metrics: Metrics,
): void {
  const keys = keysOf(stream, delivered);
  if (stream.queued) {
    logger.warn('Events queued behind a parked stream', {
      ...keys,
      consumer,
      streamId: stream.streamId,
      parkedAtVersion: stream.parked?.version,
    });
  } else if (stream.parked?.status === 'parked') {
    logger.error('Stream parked', { ...keys, ...stream.parked });
    metrics.addMetric(CONSUMER_METRICS.parked, MetricUnit.Count, 1);
  } else if (stream.failure) {
    logger.warn('Stream will be delivered again', {
      ...keys,
      consumer,
      streamId: stream.streamId,
      kind: stream.failure.kind,
      version: stream.failure.version,
      error: stream.failure.error.message,
      attempts: stream.parked?.attempts,
    });
  }
}

/**
 * Logs and measures what a batch did for one consumer: each processed event's lag, failures
 * and parks. The line per processed event is a debug line: the lag metric covers each of them.
 * Each line carries the stream, and the correlation and causation ids of the event it is about
 * (for a failure, found among the `delivered` events).
 */
export function report(
  consumer: string,
  outcome: BatchOutcome,
  metrics: Metrics,
  delivered: ReadonlyMap<string, readonly StreamedEvent[]> = new Map(),
): void {
  const now = Date.now();
  let applied = 0;
  for (const stream of outcome.streams) {
    for (const event of stream.applied) {
      const lagMs = Math.max(0, now - Date.parse(event.recordedAt));
      logger.debug('Consumed event', {
        ...eventLogKeys(event),
        consumer,
        type: event.type,
        lagMs,
      });
      metrics.addMetric(CONSUMER_METRICS.lag, MetricUnit.Milliseconds, lagMs);
      applied += 1;
    }
    reportStopped(consumer, stream, delivered, metrics);
  }
  metrics.addMetric(CONSUMER_METRICS.applied, MetricUnit.Count, applied);
  if (outcome.retryFrom) metrics.addMetric(CONSUMER_METRICS.retries, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}
