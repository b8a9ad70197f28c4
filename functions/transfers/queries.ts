import * as z from 'zod';
import { createDynamoDbClient, storageFromEnv } from '../eventsourcing';
import { httpHandler, route } from '../http/api';
import { HttpError } from '../http/errors';
import { once } from '../http/once';
import { etag, ok } from '../http/responses';
import { resourceId } from '../http/validation';
import { transferStreamId } from './events';
import { transferRepository } from './service';

const dependencies = once(() =>
  transferRepository(storageFromEnv(createDynamoDbClient(), { snapshots: false })),
);

/** A transfer's status, read from its own short stream (strongly consistent). */
export const handler = httpHandler({
  'GET /transfers/{transferId}': route({
    params: z.strictObject({ transferId: resourceId }),
    async handle({ params }) {
      const { transferId } = params;
      const loaded = await dependencies().load(transferStreamId(transferId));
      const { state } = loaded;
      if (state.status === 'none') {
        throw new HttpError(404, 'TransferNotFound', `No transfer ${transferId}`);
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
