import { createProjectionHandler } from '../../eventsourcing';
import { orderUpcasters } from '../events';
import { customerOrdersProjection } from './customer-orders';
import { orderSummariesProjection } from './summaries';

/** Stream consumers keeping the order read models current. */
export const summaries = createProjectionHandler(orderSummariesProjection, {
  upcasters: orderUpcasters,
});
export const customerOrders = createProjectionHandler(customerOrdersProjection, {
  upcasters: orderUpcasters,
});
