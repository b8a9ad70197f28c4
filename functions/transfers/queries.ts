import * as z from 'zod';
import { createDynamoDbClient, storageFromEnv } from '../eventsourcing';
import { accountOwner, accountStore } from '../accounts/service';
import { httpHandler, route } from '../eventsourcing/http';
import { forbidden } from '../eventsourcing/http';
import { HttpError } from '../eventsourcing/http';
import { once } from '../eventsourcing/http';
import { etag, ok } from '../eventsourcing/http';
import { resourceId } from '../eventsourcing/http';
import { transferEvents } from './events';
import { transferRepository } from './service';

const dependencies = once(() => {
  const storage = storageFromEnv(createDynamoDbClient(), { snapshots: false });
  return {
    transfers: transferRepository(storage),
    accounts: accountStore(storage),
  };
});

/** A transfer's status, read from its own short stream (strongly consistent). */
export const handler = httpHandler({
  'GET /transfers/{transferId}': route({
    params: z.strictObject({ transferId: resourceId }),
    async handle({ params, caller }) {
      const { transferId } = params;
      const { transfers, accounts } = dependencies();
      const loaded = await transfers.load(transferEvents.streamId(transferId));
      const { state } = loaded;
      if (state.status === 'none') {
        throw new HttpError(404, 'TransferNotFound', `No transfer ${transferId}`);
      }
      if (!caller.privileged) {
        // The owners of both accounts may follow the transfer.
        const owners = await Promise.all(
          [state.fromAccountId, state.toAccountId].map((id) => accountOwner(accounts, id)),
        );
        if (!owners.includes(caller.actor)) throw forbidden('transfer');
      }
      return ok(
        {
          transferId,
          status: state.status,
          fromAccountId: state.fromAccountId,
          toAccountId: state.toAccountId,
          amount: state.amount,
          ...(state.reason ? { reason: state.reason, refunded: state.refunded } : {}),
          updatedAt: loaded.lastRecordedAt,
          version: loaded.version,
        },
        etag(loaded.version),
      );
    },
  }),
});
