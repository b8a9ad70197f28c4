import { ulid } from 'ulid';
import * as z from 'zod';
import { createDynamoDbClient, DomainError, storageFromEnv } from '../eventsourcing';
import { tableNameFromEnv } from '../eventsourcing/declaration';
import { MAX_AMOUNT } from '../accounts/decider';
import { accountOwner, accountStore } from '../accounts/service';
import { httpHandler } from '../eventsourcing/http';
import { requireOwner } from '../eventsourcing/http';
import { commandRoutes } from '../eventsourcing/http';
import { HttpError } from '../eventsourcing/http';
import { IdempotencyKeys } from '../eventsourcing/http';
import { once } from '../eventsourcing/http';
import { etag } from '../eventsourcing/http';
import { money, resourceId } from '../eventsourcing/http';
import type { RunsCommands } from '../eventsourcing/http';
import type { TransferCommand, TransferState } from './decider';
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

/**
 * The accounts of a transfer are named in its body, not its path: one that does not exist makes
 * the request unprocessable (422), not the resource missing (404).
 */
const postings = (): RunsCommands<TransferCommand, TransferState> => ({
  handle: (streamId, command, options) =>
    dependencies()
      .postings.handle(streamId, command, options)
      .catch((error: unknown) => {
        if (error instanceof DomainError && error.code === 'AccountNotFound') {
          throw new HttpError(422, error.code, error.message);
        }
        throw error;
      }),
});

const command = commandRoutes(postings);

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
