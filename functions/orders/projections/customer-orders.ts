import type { Projection, ReadModelKey, ReadModelWrite } from '../../eventsourcing';
import { orderEvents, type RecordedOrderEvent } from '../events';
import {
  createdSummary,
  customerOrderKey,
  evolveOrderView,
  orderListingKey,
  type CustomerOrder,
} from '../read-models';

/** The orders of each customer, newest first, for `GET /customers/{customerId}/orders`. */
export const customerOrdersProjection: Projection<RecordedOrderEvent> = {
  name: 'customer-orders',
  description: 'The orders of each customer, newest first.',
  readModel: 'customerOrders',
  handles: orderEvents.types,
  async apply(event, context): Promise<ReadModelWrite[]> {
    const orderId = orderEvents.idOf(event.streamId);
    if (event.type === 'OrderCreated') {
      const { customerId, status, total, itemCount, version, createdAt, updatedAt } =
        createdSummary(event);
      const listing: CustomerOrder = {
        orderId,
        status,
        total,
        itemCount,
        version,
        createdAt,
        updatedAt,
      };
      const key = customerOrderKey(customerId, createdAt, orderId);
      return [
        { put: { ...orderListingKey(orderId), listingPk: key.pk, listingSk: key.sk } },
        { put: { ...key, ...listing } },
      ];
    }
    const pointer = await context.get(orderListingKey(orderId));
    if (typeof pointer?.listingPk !== 'string' || typeof pointer.listingSk !== 'string') {
      throw new Error(`Order ${orderId} has no customer listing before ${event.type}`);
    }
    const key: ReadModelKey = { pk: pointer.listingPk, sk: pointer.listingSk };
    const current = (await context.get(key)) as CustomerOrder | undefined;
    if (!current) throw new Error(`Order ${orderId} is missing from its customer's list`);
    return [{ put: { ...key, ...evolveOrderView(current, event) } }];
  },
};
