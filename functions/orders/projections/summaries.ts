import type { Projection, ReadModelWrite } from '../../eventsourcing';
import { orderEvents, type RecordedOrderEvent } from '../events';
import { createdSummary, evolveSummary, orderSummaryKey, type OrderSummary } from '../read-models';

/** Each order with its items, total, shipping and timeline, for `GET /orders/{orderId}`. */
export const orderSummariesProjection: Projection<RecordedOrderEvent> = {
  name: 'order-summaries',
  description: 'Each order with its items, total, shipping and timeline.',
  readModel: 'orderSummaries',
  handles: orderEvents.types,
  async apply(event, context): Promise<ReadModelWrite[]> {
    const key = orderSummaryKey(orderEvents.idOf(event.streamId));
    if (event.type === 'OrderCreated') return [{ put: { ...key, ...createdSummary(event) } }];
    const current = (await context.get(key)) as OrderSummary | undefined;
    if (!current) throw new Error(`Order ${event.streamId} has no summary before ${event.type}`);
    return [{ put: { ...key, ...evolveSummary(current, event) } }];
  },
};
