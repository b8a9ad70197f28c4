import { ulid } from 'ulid';
import * as z from 'zod';
import { createDynamoDbClient, storageFromEnv } from '../eventsourcing';
import { tableNameFromEnv } from '../eventsourcing/declaration';
import { MAX_AMOUNT } from '../accounts/decider';
import { accountOwner, accountStore } from '../accounts/service';
import { httpHandler } from '../eventsourcing/http';
import { requireOwner } from '../eventsourcing/http';
import { commandRoutes } from '../eventsourcing/http';
import { IdempotencyKeys } from '../eventsourcing/http';
import { once } from '../eventsourcing/http';
import { etag } from '../eventsourcing/http';
import { money, resourceId } from '../eventsourcing/http';
import { transferEvents } from './events';
import { transferCommandHandler } from './service';

const dependencies = once(() => {
  const client = createDynamoDbClient();
  const storage = storageFromEnv(client, { snapshots: false });
  return {
    transfers: transferCommandHandler(storage),
    accounts: accountStore(storage),
    keys: new IdempotencyKeys(client, tableNameFromEnv('idempotency')),
  };
});

const command = commandRoutes(() => dependencies().transfers);

/**
 * Requests a transfer. The money moves asynchronously (the transfer process manager reacts to
 * the request), so the answer is 202 with where to follow the transfer.
 */
export const handler = httpHandler(
  {
    'POST /transfers': command({
      body: z.strictObject({
        fromAccountId: resourceId,
        toAccountId: resourceId,
        amount: money(MAX_AMOUNT),
      }),
      target: ({ body }) => ({
        streamId: transferEvents.streamId(ulid()),
        command: { type: 'RequestTransfer', ...body },
      }),
      // Only the source account's owner (or an operator) may move its money.
      authorize: async ({ request }) =>
        requireOwner(
          request.caller,
          await accountOwner(dependencies().accounts, request.body.fromAccountId),
          'account',
        ),
      respond: ({ streamId, version }) => {
        const transferId = transferEvents.idOf(streamId);
        return {
          status: 202,
          body: { transferId, status: 'requested' },
          headers: { ...etag(version), location: `/transfers/${transferId}` },
        };
      },
    }),
  },
  { idempotencyKeys: () => dependencies().keys },
);
