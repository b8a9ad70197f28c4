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
import { TransferPostings } from './post-transfer';

const dependencies = once(() => {
  const client = createDynamoDbClient();
  const storage = storageFromEnv(client);
  return {
    postings: new TransferPostings(storage),
    accounts: accountStore(storage),
    keys: new IdempotencyKeys(client, tableNameFromEnv('idempotency')),
  };
});

const command = commandRoutes(() => dependencies().postings);

/**
 * Posts a transfer: the money leaves the source and reaches the target in one transaction, so
 * the answer is 201 with the completed transfer, or 422 with the rule that refused it and
 * nothing written.
 */
export const handler = httpHandler(
  {
    'POST /transfers': command({
      body: z.strictObject({
        fromAccountId: resourceId,
        toAccountId: resourceId,
        amount: money(MAX_AMOUNT),
      }),
      // The accounts are named in the body, not the path: one that does not exist makes the
      // request unprocessable, not the resource missing.
      refusals: { AccountNotFound: 422 },
      target: ({ body }) => ({
        streamId: transferEvents.streamId(ulid()),
        command: { type: 'PostTransfer', ...body },
      }),
      // Only the source account's owner (or an operator) may move its money.
      authorize: async ({ request }) =>
        requireOwner(
          request.caller,
          await accountOwner(dependencies().accounts, request.body.fromAccountId),
          'account',
        ),
      respond: ({ streamId, version, state }, { body }) => {
        const transferId = transferEvents.idOf(streamId);
        return {
          status: 201,
          body: { transferId, status: state.status, ...body },
          headers: { ...etag(version), location: `/transfers/${transferId}` },
        };
      },
    }),
  },
  { idempotencyKeys: () => dependencies().keys },
);
