import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  createDynamoDbClient,
  logger,
  type ReadModelKey,
  ReadModelReader,
  storageFromEnv,
} from '../eventsourcing';
import { createMetrics } from '../eventsourcing/aws';
import { once } from '../eventsourcing/http';
import {
  IN_FLIGHT_SHARDS,
  inFlightPartition,
  transfersInFlightProjection,
  type InFlightTransfer,
} from './in-flight';
import { transferEvents } from './events';
import { TransferProcess } from './service';

/** How long a transfer may stay unfinished before it is reported; `STUCK_TRANSFER_AFTER_SECONDS`. */
const DEFAULT_STUCK_AFTER_SECONDS = 300;

const dependencies = once(() => {
  const client = createDynamoDbClient();
  return {
    inFlight: new ReadModelReader(transfersInFlightProjection, { client }),
    process: new TransferProcess(storageFromEnv(client)),
    metrics: createMetrics('transfers'),
  };
});

/** Every in-flight transfer requested before `cutoff`. */
export async function findStuckTransfers(
  source: ReadModelReader,
  cutoff: Date,
): Promise<InFlightTransfer[]> {
  const before = cutoff.toISOString();
  const stuck: InFlightTransfer[] = [];
  for (let shard = 0; shard < IN_FLIGHT_SHARDS; shard++) {
    let next: ReadModelKey | undefined;
    do {
      const page = await source.query({
        pk: inFlightPartition(shard),
        ...(next ? { startAfter: next } : {}),
      });
      const items = page.items as unknown as InFlightTransfer[];
      stuck.push(...items.filter((item) => item.requestedAt < before));
      next = page.next;
    } while (next);
  }
  return stuck;
}

/**
 * Scheduled check: every transfer unfinished for longer than the threshold is logged and given
 * another run of the process manager (idempotent, so this is the redrive); the `StuckTransfers`
 * metric counts those still unfinished after it (0 included, so its alarm always has data).
 */
export async function handler(): Promise<{ stuck: InFlightTransfer[]; resumed: string[] }> {
  const seconds = Number(process.env.STUCK_TRANSFER_AFTER_SECONDS ?? DEFAULT_STUCK_AFTER_SECONDS);
  const { inFlight, process: transfers } = dependencies();
  const late = await findStuckTransfers(inFlight, new Date(Date.now() - seconds * 1000));
  const resumed: string[] = [];
  const stuck: InFlightTransfer[] = [];
  for (const transfer of late) {
    const about = { streamId: transferEvents.streamId(transfer.transferId), ...transfer };
    const status = await transfers.advance(transfer.transferId).then(
      (state) => state.status,
      (error: unknown) => {
        logger.error('Stuck transfer could not advance', { ...about, error: error as Error });
        return 'unfinished';
      },
    );
    if (status === 'completed' || status === 'failed') {
      resumed.push(transfer.transferId);
      logger.warn('Stuck transfer finished on a new run', { ...about, status });
    } else {
      stuck.push(transfer);
      logger.error('Transfer is stuck', { ...about, stuckAfterSeconds: seconds });
    }
  }
  const metrics = dependencies().metrics;
  metrics.addMetric('StuckTransfers', MetricUnit.Count, stuck.length);
  metrics.publishStoredMetrics();
  return { stuck, resumed };
}
