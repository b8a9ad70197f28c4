import { createHash } from 'node:crypto';
import type { Projection, ReadModelKey, ReadModelWrite } from '../eventsourcing/projection';
import type { RecordedEvent } from '../eventsourcing';
import { TRANSFER_EVENT_TYPES, transferIdOf, transferEventSchemas } from './events';

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
}

/** Transfers that were requested and have not completed or failed yet. */
export const transfersInFlightProjection: Projection = {
  name: 'transfers-in-flight',
  readModel: 'transfersInFlight',
  handles: TRANSFER_EVENT_TYPES,
  apply(event: RecordedEvent): Promise<ReadModelWrite[]> {
    const transferId = transferIdOf(event.streamId);
    switch (event.type) {
      case 'TransferRequested': {
        const data = transferEventSchemas.TransferRequested.parse(event.data);
        const transfer: InFlightTransfer = { transferId, ...data, requestedAt: event.recordedAt };
        return Promise.resolve([{ put: { ...inFlightKey(transferId), ...transfer } }]);
      }
      case 'TransferCompleted':
      case 'TransferFailed':
        return Promise.resolve([{ delete: inFlightKey(transferId) }]);
      default:
        return Promise.resolve([]);
    }
  },
};
