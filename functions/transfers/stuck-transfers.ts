import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ReadModelReader, createDynamoDbClient } from '../eventsourcing';
import { logger } from '../eventsourcing/logger';
import { once } from '../http/once';
import {
  IN_FLIGHT_SHARDS,
  inFlightPartition,
  transfersInFlightProjection,
  type InFlightTransfer,
} from './in-flight';

/** How long a transfer may stay unfinished before it is reported; `STUCK_TRANSFER_AFTER_SECONDS`. */
const DEFAULT_STUCK_AFTER_SECONDS = 300;

const reader = once(
  () => new ReadModelReader(transfersInFlightProjection, { client: createDynamoDbClient() }),
);

/** Every in-flight transfer requested before `cutoff`. */
export async function findStuckTransfers(
  source: ReadModelReader,
  cutoff: Date,
): Promise<InFlightTransfer[]> {
  const stuck: InFlightTransfer[] = [];
  for (let shard = 0; shard < IN_FLIGHT_SHARDS; shard++) {
    let page = await source.query({ pk: inFlightPartition(shard) });
    for (;;) {
      for (const item of page.items as unknown as InFlightTransfer[]) {
        if (item.requestedAt < cutoff.toISOString()) stuck.push(item);
      }
      if (!page.next) break;
      page = await source.query({ pk: inFlightPartition(shard), startAfter: page.next });
    }
  }
  return stuck;
}

/**
 * Scheduled check: logs every transfer unfinished for longer than the threshold and emits the
 * `StuckTransfers` metric (0 included, so its alarm always has data).
 */
export async function handler(): Promise<{ stuck: InFlightTransfer[] }> {
  const seconds = Number(process.env.STUCK_TRANSFER_AFTER_SECONDS ?? DEFAULT_STUCK_AFTER_SECONDS);
  const stuck = await findStuckTransfers(reader(), new Date(Date.now() - seconds * 1000));
  for (const transfer of stuck) {
    logger.error('Transfer is stuck', { ...transfer, stuckAfterSeconds: seconds });
  }
  const metrics = new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || 'EventSourcing',
    serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'transfers',
  });
  metrics.addMetric('StuckTransfers', MetricUnit.Count, stuck.length);
  metrics.publishStoredMetrics();
  return { stuck };
}
