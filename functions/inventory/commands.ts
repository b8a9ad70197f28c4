import * as z from 'zod';
import { createDynamoDbClient, storageFromEnv } from '../eventsourcing';
import { tableNameFromEnv } from '../eventsourcing/declaration';
import { httpHandler, operatorsOnly } from '../eventsourcing/http';
import { commandRoutes } from '../eventsourcing/http';
import { IdempotencyKeys } from '../eventsourcing/http';
import { once } from '../eventsourcing/http';
import { commandResponse } from '../eventsourcing/http';
import { money, resourceId, text } from '../eventsourcing/http';
import { MAX_STOCK, MAX_UNIT_PRICE, stockOf } from './decider';
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

/**
 * Product commands: an operator adds a product to the catalogue under the id it chose, and
 * adds units to its stock.
 */
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

    'POST /products/{productId}/stock': command({
      params: z.strictObject({ productId: resourceId }),
      body: z.strictObject({
        quantity: z
          .int('must be a whole number')
          .min(1, 'must be at least 1')
          .max(MAX_STOCK, `must be at most ${MAX_STOCK}`),
      }),
      target: ({ params, body }) => ({
        streamId: productEvents.streamId(params.productId),
        command: { type: 'AddStock', quantity: body.quantity },
      }),
      authorize: operatorsOnly('add stock'),
      respond: ({ streamId, version, state }) =>
        commandResponse(200, {
          productId: productEvents.idOf(streamId),
          version,
          ...(state.status === 'none' ? {} : { stock: stockOf(state) }),
        }),
    }),
  },
  { idempotencyKeys: () => dependencies().keys },
);
