import { monotonicFactory } from 'ulid';
import * as z from 'zod';
import { createDynamoDbClient, storageFromEnv } from '../eventsourcing';
import { tableNameFromEnv } from '../eventsourcing/declaration';
import { httpHandler } from '../eventsourcing/http';
import { operatorsOnly, requireOwner, type Caller } from '../eventsourcing/http';
import { commandRoutes, type CommandOutcome } from '../eventsourcing/http';
import { IdempotencyKeys } from '../eventsourcing/http';
import { once } from '../eventsourcing/http';
import { commandResponse } from '../eventsourcing/http';
import { money, resourceId, text } from '../eventsourcing/http';
import { MAX_QUANTITY, MAX_UNIT_PRICE, type OrderCommand, type OrderState } from './decider';
import { orderEvents } from './events';
import { orderCommandHandler } from './service';

/** Ids sort in creation order, even for ids made within one millisecond. */
const ulid = monotonicFactory();

const dependencies = once(() => {
  const client = createDynamoDbClient();
  return {
    orders: orderCommandHandler(storageFromEnv(client)),
    keys: new IdempotencyKeys(client, tableNameFromEnv('idempotency')),
  };
});

const command = commandRoutes(() => dependencies().orders);

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

/** The command on the order named in the path. */
const onOrder = (orderId: string, orderCommand: OrderCommand) => ({
  streamId: orderEvents.streamId(orderId),
  command: orderCommand,
});

/** An order is its customer's: only they (or an operator) may change it. */
const ownOrder = ({ state, request }: { state: OrderState; request: { caller: Caller } }) =>
  requireOwner(request.caller, state.status === 'none' ? undefined : state.customerId, 'order');

/** The answer to a change of an order: its new version, status and total. */
const orderAnswer = ({ streamId, version, state }: CommandOutcome<OrderState>) =>
  commandResponse(200, {
    orderId: orderEvents.idOf(streamId),
    version,
    ...(state.status === 'none' ? {} : { status: state.status, total: state.total }),
  });

/** Order commands: create, add items, confirm, pay, ship, deliver, cancel. */
export const handler = httpHandler(
  {
    'POST /orders': command({
      body: z.strictObject({
        customerId: resourceId,
        items: z
          .array(item)
          .max(MAX_ITEMS_AT_CREATION, `must hold at most ${MAX_ITEMS_AT_CREATION} items`)
          .default([]),
        shippingAddress: z
          .strictObject({
            name: z.string().trim().min(1).max(200),
            line1: z.string().trim().min(1).max(200),
            line2: z.string().trim().min(1).max(200).optional(),
            city: z.string().trim().min(1).max(100),
            postalCode: z.string().trim().min(1).max(20),
            country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code'),
          })
          .optional(),
      }),
      target: ({ body }) => onOrder(ulid(), { type: 'CreateOrder', ...body }),
      // A JWT caller places orders for itself only.
      authorize: ({ request }) => requireOwner(request.caller, request.body.customerId, 'order'),
      respond: ({ streamId, version }) => {
        const orderId = orderEvents.idOf(streamId);
        return commandResponse(201, { orderId, version }, { location: `/orders/${orderId}` });
      },
    }),

    'POST /orders/{orderId}/items': command({
      params: orderPath,
      body: item,
      target: ({ params, body }) => onOrder(params.orderId, { type: 'AddItem', ...body }),
      authorize: ownOrder,
      respond: orderAnswer,
    }),

    'POST /orders/{orderId}/confirm': command({
      params: orderPath,
      target: ({ params }) => onOrder(params.orderId, { type: 'ConfirmOrder' }),
      authorize: ownOrder,
      respond: orderAnswer,
    }),

    // The account is checked when it is charged: it must be the order's customer's.
    'POST /orders/{orderId}/pay': command({
      params: orderPath,
      body: z.strictObject({ accountId: resourceId }),
      target: ({ params, body }) => onOrder(params.orderId, { type: 'PayOrder', ...body }),
      authorize: ownOrder,
      respond: orderAnswer,
    }),

    'POST /orders/{orderId}/ship': command({
      params: orderPath,
      body: z.strictObject({ trackingNumber: text(100), carrier: text(100) }),
      target: ({ params, body }) => onOrder(params.orderId, { type: 'ShipOrder', ...body }),
      // Fulfilment is the shop's: a customer does not mark its own order shipped or delivered.
      authorize: operatorsOnly('ship orders'),
      respond: orderAnswer,
    }),

    'POST /orders/{orderId}/deliver': command({
      params: orderPath,
      target: ({ params }) => onOrder(params.orderId, { type: 'DeliverOrder' }),
      authorize: operatorsOnly('mark orders delivered'),
      respond: orderAnswer,
    }),

    'POST /orders/{orderId}/cancel': command({
      params: orderPath,
      body: z.strictObject({ reason: text(500) }),
      target: ({ params, body }) => onOrder(params.orderId, { type: 'CancelOrder', ...body }),
      authorize: ownOrder,
      respond: orderAnswer,
    }),
  },
  { idempotencyKeys: () => dependencies().keys },
);
