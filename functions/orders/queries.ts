import { z } from 'zod';
import { createDynamoDbClient } from '../eventsourcing';
import { httpHandler, route } from '../http/api';
import { HttpError } from '../http/errors';
import { once } from '../http/once';
import { ReadModelTable, withoutKeys } from '../http/read-model';
import { etag, ok } from '../http/responses';
import { cursorParam, limitParam, resourceId } from '../http/validation';
import { tableNameFromEnv } from '../system';
import {
  CUSTOMER_ORDER_PREFIX,
  customerPartition,
  orderSummaryKey,
  type CustomerOrder,
  type OrderSummary,
} from './read-models';

const dependencies = once(() => {
  const client = createDynamoDbClient();
  return {
    summaries: new ReadModelTable(client, tableNameFromEnv('orderSummaries')),
    customers: new ReadModelTable(client, tableNameFromEnv('customerOrders')),
  };
});

const ORDER_STATUSES = ['pending', 'confirmed', 'shipped', 'delivered', 'cancelled'] as const;
const DEFAULT_PAGE = 20;

/** Order queries over the read models. */
export const handler = httpHandler({
  'GET /orders/{orderId}': route({
    params: z.strictObject({ orderId: resourceId }),
    async handle({ params }) {
      const summary = await dependencies().summaries.get<OrderSummary & { pk: string; sk: string }>(
        orderSummaryKey(params.orderId),
      );
      if (!summary) throw new HttpError(404, 'OrderNotFound', `No order ${params.orderId}`);
      return ok(withoutKeys(summary), etag(summary.version));
    },
  }),

  'GET /customers/{customerId}/orders': route({
    params: z.strictObject({ customerId: resourceId }),
    query: z.strictObject({
      status: z.enum(ORDER_STATUSES).optional(),
      limit: limitParam,
      cursor: cursorParam,
    }),
    async handle({ params, query }) {
      const page = await dependencies().customers.page<CustomerOrder & { pk: string; sk: string }>({
        pk: customerPartition(params.customerId),
        skPrefix: CUSTOMER_ORDER_PREFIX,
        limit: query.limit ?? DEFAULT_PAGE,
        cursor: query.cursor,
        newestFirst: true,
        ...(query.status ? { where: { attribute: 'status', equals: query.status } } : {}),
      });
      return ok({
        customerId: params.customerId,
        orders: page.items.map(withoutKeys),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      });
    },
  }),
});
