import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import {
  Upcasters,
  compareSequenceNumbers,
  createDynamoDbClient,
  storageFromEnv,
  eventsByStream,
} from '../eventsourcing';
import { logger } from '../eventsourcing/logger';
import { once } from '../http/once';
import { isTransferStream, transferIdOf, type TransferEventType } from './events';
import { TransferProcess } from './service';

/** Events after which a transfer has a step to take. */
const TRIGGERS: readonly string[] = [
  'TransferRequested',
  'TransferDebited',
] satisfies TransferEventType[];

const transferProcess = once(() => {
  const client = createDynamoDbClient();
  return new TransferProcess(storageFromEnv(client));
});

const noUpcasting = new Upcasters();

/**
 * The transfer process manager: a stream consumer that advances every transfer whose events
 * arrive in the batch. Advancing is idempotent, so re-delivered batches are harmless. A
 * transfer that cannot advance (an outage, a bug) is reported from its first record in the
 * batch; the event source mapping delivers again from the lowest such record and, after its
 * retries, keeps the batch at the on-failure destination. The stuck-transfer check reports it
 * meanwhile.
 */
export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const transfers = [...eventsByStream(event.Records, noUpcasting)].filter(
    ([streamId, events]) =>
      isTransferStream(streamId) && events.some(({ event }) => TRIGGERS.includes(event.type)),
  );
  const failedAt: string[] = [];
  await Promise.all(
    transfers.map(async ([streamId, events]) => {
      const transferId = transferIdOf(streamId);
      try {
        const state = await transferProcess().advance(transferId);
        logger.info('Transfer advanced', { transferId, status: state.status });
      } catch (error) {
        logger.error('Transfer could not advance; its records will be delivered again', {
          transferId,
          error: error as Error,
        });
        failedAt.push(events[0]!.sequenceNumber);
      }
    }),
  );
  const retryFrom = failedAt.sort(compareSequenceNumbers)[0];
  return { batchItemFailures: retryFrom ? [{ itemIdentifier: retryFrom }] : [] };
}
