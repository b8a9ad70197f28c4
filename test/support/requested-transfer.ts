import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventStore } from '../../functions/eventsourcing';
import { transferEvents } from '../../functions/transfers/events';

/**
 * Writes a transfer as the request command did before transfers were posted: its
 * `TransferRequested` alone, for the process manager to run. Returns its id.
 */
export async function requestTransfer(
  target: { readonly client: DynamoDBClient; readonly eventsTable: string },
  transfer: {
    readonly fromAccountId: string;
    readonly toAccountId: string;
    readonly amount: number;
  },
  metadata: { readonly correlationId?: string; readonly actor?: string } = {},
): Promise<string> {
  const transferId = randomUUID();
  const store = new EventStore({
    client: target.client,
    tableName: target.eventsTable,
    catalogue: transferEvents.catalogue,
  });
  await store.append(
    transferEvents.streamId(transferId),
    [{ type: 'TransferRequested', data: transfer }],
    { expectedVersion: 'no_stream', metadata },
  );
  return transferId;
}
