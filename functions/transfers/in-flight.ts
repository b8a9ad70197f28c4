import { createHash } from 'node:crypto';
import type { Projection, ReadModelKey, ReadModelWrite } from '../eventsourcing';
import { transferEvents, type RecordedTransferEvent } from './events';

/** In-flight transfers are spread over a few partitions so none of them runs hot. */
export const IN_FLIGHT_SHARDS = 8;

export const inFlightPartition = (shard: number) => `in-flight#${shard}`;

export function inFlightKey(transferId: string): ReadModelKey {
  const shard = createHash('sha256').update(transferId).digest().readUInt8(0) % IN_FLIGHT_SHARDS;
  return { pk: inFlightPartition(shard), sk: transferId };
}

export interface InFlightTransfer {
  readonly transferId: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amount: number;
  readonly requestedAt: string;
  /** The request's, so that what the stuck-transfer check logs can be followed back to it. */
  readonly correlationId?: string;
}

/**
 * Transfers requested before postings that have not completed or failed yet: once it is empty,
 * the process manager has nothing left to finish. A posted transfer never enters it.
 */
export const transfersInFlightProjection: Projection<RecordedTransferEvent> = {
  name: 'transfers-in-flight',
  description: 'The transfers that have not finished yet.',
  readModel: 'transfersInFlight',
  // A debit changes nothing here: not handling it costs the projection no write at all.
  handles: ['TransferRequested', 'TransferCompleted', 'TransferFailed'],
  apply(event): Promise<ReadModelWrite[]> {
    const transferId = transferEvents.idOf(event.streamId);
    if (event.type === 'TransferRequested') {
      const { correlationId } = event.metadata;
      const transfer: InFlightTransfer = {
        transferId,
        ...event.data,
        requestedAt: event.recordedAt,
        ...(typeof correlationId === 'string' ? { correlationId } : {}),
      };
      return Promise.resolve([{ put: { ...inFlightKey(transferId), ...transfer } }]);
    }
    return Promise.resolve([{ delete: inFlightKey(transferId) }]);
  },
};
