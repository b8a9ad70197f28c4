import { ulid } from 'ulid';
import { z } from 'zod';
import { createDynamoDbClient, storageFromEnv } from '../eventsourcing';
import { MAX_AMOUNT } from '../accounts/decider';
import { handleOptions, httpHandler, route } from '../http/api';
import { dynamoDbIdempotency } from '../http/idempotency';
import { once } from '../http/once';
import { etag } from '../http/responses';
import { money, resourceId } from '../http/validation';
import { tableNameFromEnv } from '../system';
import { transferStreamId } from './events';
import { transferCommandHandler } from './service';

const dependencies = once(() => {
  const client = createDynamoDbClient();
  return {
    transfers: transferCommandHandler(storageFromEnv(client, { snapshots: false })),
    idempotency: dynamoDbIdempotency(client, tableNameFromEnv('idempotency')),
  };
});

/**
 * Requests a transfer. The money moves asynchronously (the transfer process manager reacts to
 * the request), so the answer is 202 with where to follow the transfer.
 */
export const handler = httpHandler(
  {
    'POST /transfers': route({
      body: z.strictObject({
        fromAccountId: resourceId,
        toAccountId: resourceId,
        amount: money(MAX_AMOUNT),
      }),
      async handle(request) {
        const transferId = ulid();
        const result = await dependencies().transfers.handle(
          transferStreamId(transferId),
          { type: 'RequestTransfer', ...request.body },
          handleOptions(request),
        );
        return {
          status: 202,
          body: { transferId, status: 'requested' },
          headers: { ...etag(result.version), location: `/transfers/${transferId}` },
        };
      },
    }),
  },
  { idempotency: () => dependencies().idempotency },
);
