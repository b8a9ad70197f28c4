import { monotonicFactory } from 'ulid';
import * as z from 'zod';
import { createDynamoDbClient, storageFromEnv } from '../eventsourcing';
import { handleOptions, httpHandler, route } from '../http/api';
import { dynamoDbIdempotency } from '../http/idempotency';
import { once } from '../http/once';
import { commandResponse } from '../http/responses';
import { money, resourceId, text } from '../http/validation';
import { tableNameFromEnv } from '../system';
import { MAX_QUANTITY, MAX_UNIT_PRICE, type OrderCommand } from './decider';
import { orderStreamId } from './events';
import { orderCommandHandler } from './service';

/** Ids sort in creation order, even for ids made within one millisecond. */
const ulid = monotonicFactory();

const dependencies = once(() => {
  const client = createDynamoDbClient();
  return {
    orders: orderCommandHandler(storageFromEnv(client)),
    idempotency: dynamoDbIdempotency(client, tableNameFromEnv('idempotency')),
  };
});

/** Items a `POST /orders` may carry: one event each, all appended in one transaction. */
const MAX_ITEMS_AT_CREATION = 50;

const orderPath = z.strictObject({ orderId: resourceId });

const item = z.strictObject({
  productId: resourceId,
  quantity: z
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_QUANTITY, `must be at most ${MAX_QUANTITY}`),
  unitPrice: money(MAX_UNIT_PRICE),
});

async function runCommand(
  orderId: string,
  command: OrderCommand,
  request: Parameters<typeof handleOptions>[0],
) {
  const result = await dependencies().orders.handle(
    orderStreamId(orderId),
    command,
    handleOptions(request),
  );
  const state = result.state;
  return {
    orderId,
    version: result.version,
    ...(state.status === 'none' ? {} : { status: state.status, total: state.total }),
  };
}

/** Order commands: create, add items, confirm, ship, deliver, cancel. */
export const handler = httpHandler(
  {
    'POST /orders': route({
      body: z.strictObject({
        customerId: resourceId,
        items: z
          .array(item)
          .max(MAX_ITEMS_AT_CREATION, `must hold at most ${MAX_ITEMS_AT_CREATION} items`)
          .default([]),
      }),
      async handle({ body, ...request }) {
        const orderId = ulid();
        const { version } = await runCommand(orderId, { type: 'CreateOrder', ...body }, request);
        return commandResponse(201, { orderId, version }, { location: `/orders/${orderId}` });
      },
    }),

    'POST /orders/{orderId}/items': route({
      params: orderPath,
      body: item,
      async handle({ params, body, ...request }) {
        return commandResponse(
          200,
          await runCommand(params.orderId, { type: 'AddItem', ...body }, request),
        );
      },
    }),

    'POST /orders/{orderId}/confirm': route({
      params: orderPath,
      async handle({ params, ...request }) {
        return commandResponse(
          200,
          await runCommand(params.orderId, { type: 'ConfirmOrder' }, request),
        );
      },
    }),

    'POST /orders/{orderId}/ship': route({
      params: orderPath,
      body: z.strictObject({ trackingNumber: text(100), carrier: text(100) }),
      async handle({ params, body, ...request }) {
        return commandResponse(
          200,
          await runCommand(params.orderId, { type: 'ShipOrder', ...body }, request),
        );
      },
    }),

    'POST /orders/{orderId}/deliver': route({
      params: orderPath,
      async handle({ params, ...request }) {
        return commandResponse(
          200,
          await runCommand(params.orderId, { type: 'DeliverOrder' }, request),
        );
      },
    }),

    'POST /orders/{orderId}/cancel': route({
      params: orderPath,
      body: z.strictObject({ reason: text(500) }),
      async handle({ params, body, ...request }) {
        return commandResponse(
          200,
          await runCommand(params.orderId, { type: 'CancelOrder', ...body }, request),
        );
      },
    }),
  },
  { idempotency: () => dependencies().idempotency },
);
