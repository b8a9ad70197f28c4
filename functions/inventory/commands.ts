import * as z from 'zod';
import { createDynamoDbClient, storageFromEnv } from '../eventsourcing';
import { tableNameFromEnv } from '../eventsourcing/declaration';
import { httpHandler, operatorsOnly } from '../eventsourcing/http';
import { commandRoutes } from '../eventsourcing/http';
import { IdempotencyKeys } from '../eventsourcing/http';
import { once } from '../eventsourcing/http';
import { commandResponse } from '../eventsourcing/http';
import { money, resourceId, text } from '../eventsourcing/http';
import { MAX_UNIT_PRICE } from './decider';
import { productEvents } from './events';
import { productCommandHandler } from './service';

const dependencies = once(() => {
  const client = createDynamoDbClient();
  return {
    products: productCommandHandler(storageFromEnv(client, { snapshots: false })),
    keys: new IdempotencyKeys(client, tableNameFromEnv('idempotency')),
  };
});

const command = commandRoutes(() => dependencies().products);

/** Product commands: an operator adds a product to the catalogue under the id it chose. */
export const handler = httpHandler(
  {
    'POST /products': command({
      body: z.strictObject({
        productId: resourceId,
        name: text(200),
        unitPrice: money(MAX_UNIT_PRICE),
      }),
      target: ({ body: { productId, ...product } }) => ({
        streamId: productEvents.streamId(productId),
        command: { type: 'AddProduct', ...product },
      }),
      // The catalogue is the shop's: customers read it, only operators change it.
      authorize: operatorsOnly('add products to the catalogue'),
      respond: ({ streamId, version }) => {
        const productId = productEvents.idOf(streamId);
        return commandResponse(201, { productId, version }, { location: `/products/${productId}` });
      },
    }),
  },
  { idempotencyKeys: () => dependencies().keys },
);
