import * as z from 'zod';
import { ReadModelReader, createDynamoDbClient } from '../eventsourcing';
import { httpHandler, route } from '../eventsourcing/http';
import { requireOwner } from '../eventsourcing/http';
import { HttpError } from '../eventsourcing/http';
import { once } from '../eventsourcing/http';
import { readPage, withoutKeys } from '../eventsourcing/http';
import { etag, ok } from '../eventsourcing/http';
import { cursorParam, limitParam, resourceId } from '../eventsourcing/http';
import { customerOrdersProjection } from './projections/customer-orders';
import { orderSummariesProjection } from './projections/summaries';
import { CUSTOMER_ORDER_PREFIX, customerPartition, orderSummaryKey } from './read-models';
import type { OrderStatus } from './decider';

const dependencies = once(() => {
  const client = createDynamoDbClient();
  return {
    summaries: new ReadModelReader(orderSummariesProjection, { client }),
    customers: new ReadModelReader(customerOrdersProjection, { client }),
  };
});

const ORDER_STATUSES = [
  'pending',
  'confirmed',
  'paid',
  'shipped',
  'delivered',
  'cancelled',
] as const satisfies readonly OrderStatus[];
const DEFAULT_PAGE = 20;

/** Order queries over the read models. */
export const handler = httpHandler({
  'GET /orders/{orderId}': route({
    params: z.strictObject({ orderId: resourceId }),
    async handle({ params, caller }) {
      const summary = await dependencies().summaries.get(orderSummaryKey(params.orderId));
      if (!summary) throw new HttpError(404, 'OrderNotFound', `No order ${params.orderId}`);
      requireOwner(caller, String(summary.customerId), 'order');
      return ok(withoutKeys(summary), etag(Number(summary.version)));
    },
  }),

  'GET /customers/{customerId}/orders': route({
    params: z.strictObject({ customerId: resourceId }),
    query: z.strictObject({
      status: z.enum(ORDER_STATUSES).optional(),
      limit: limitParam,
      cursor: cursorParam,
    }),
    async handle({ params, query, caller }) {
      requireOwner(caller, params.customerId, "customer's orders");
      const { status } = query;
      const page = await readPage(dependencies().customers, {
        pk: customerPartition(params.customerId),
        skPrefix: CUSTOMER_ORDER_PREFIX,
        limit: query.limit ?? DEFAULT_PAGE,
        cursor: query.cursor,
        newestFirst: true,
        ...(status ? { where: (order) => order.status === status } : {}),
      });
      return ok({
        customerId: params.customerId,
        orders: page.items.map(withoutKeys),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      });
    },
  }),
});
