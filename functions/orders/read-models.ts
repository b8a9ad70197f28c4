import { storedData, type ReadModelKey } from '../eventsourcing';
import { addLine, type OrderStatus } from './decider';
import { orderEvents, type RecordedOrderEvent, type ShippingAddress } from './events';

export type OrderItem = {
  readonly productId: string;
  readonly quantity: number;
  readonly unitPrice: number;
  readonly lineTotal: number;
};

/** `GET /orders/{orderId}`: the order as the summary projection keeps it. */
export type OrderSummary = {
  readonly orderId: string;
  readonly customerId: string;
  /** Kept sealed under the customer's key; the reader opens it (a replacement once erased). */
  readonly shippingAddress?: ShippingAddress;
  readonly status: OrderStatus;
  readonly items: readonly OrderItem[];
  readonly total: number;
  /** Units ordered, all products together. */
  readonly itemCount: number;
  readonly shipping?: { readonly trackingNumber: string; readonly carrier: string };
  readonly cancellationReason?: string;
  /** Every event of the order, oldest first. */
  readonly timeline: readonly { readonly type: string; readonly at: string }[];
  /** The order stream version this summary reflects. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
};

/** One order in `GET /customers/{customerId}/orders`. */
export type CustomerOrder = Pick<
  OrderSummary,
  'orderId' | 'status' | 'total' | 'itemCount' | 'version' | 'createdAt' | 'updatedAt'
>;

export const orderSummaryKey = (orderId: string): ReadModelKey => ({
  pk: `order#${orderId}`,
  sk: 'summary',
});

export const customerPartition = (customerId: string) => `customer#${customerId}`;

export const CUSTOMER_ORDER_PREFIX = 'order#';

/** Sorted by creation time, so a backwards query lists the newest orders first. */
export const customerOrderKey = (
  customerId: string,
  createdAt: string,
  orderId: string,
): ReadModelKey => ({
  pk: customerPartition(customerId),
  sk: `${CUSTOMER_ORDER_PREFIX}${createdAt}#${orderId}`,
});

/** Where an order sits in its customer's list, for events that do not carry the customer. */
export const orderListingKey = (orderId: string): ReadModelKey => ({
  pk: `order#${orderId}`,
  sk: 'listing',
});

const STATUS_AFTER: Partial<Record<RecordedOrderEvent['type'], OrderStatus>> = {
  OrderConfirmed: 'confirmed',
  OrderPaid: 'paid',
  OrderShipped: 'shipped',
  OrderDelivered: 'delivered',
  OrderCancelled: 'cancelled',
};

/** The summary of a new order. */
export function createdSummary(event: RecordedOrderEvent & { type: 'OrderCreated' }): OrderSummary {
  return {
    orderId: orderEvents.idOf(event.streamId),
    customerId: event.data.customerId,
    ...(event.data.shippingAddress ? { shippingAddress: storedData(event).shippingAddress! } : {}),
    status: 'pending',
    items: [],
    total: 0,
    itemCount: 0,
    timeline: [{ type: event.type, at: event.recordedAt }],
    version: event.version,
    createdAt: event.recordedAt,
    updatedAt: event.recordedAt,
  };
}

type OrderView = Pick<OrderSummary, 'status' | 'total' | 'itemCount' | 'version' | 'updatedAt'>;

/** How an event after the creation changes any view of an order (summary, customer's list). */
export function evolveOrderView<View extends OrderView>(
  view: View,
  event: RecordedOrderEvent,
): View {
  const added = event.type === 'OrderItemAdded' ? event.data : { quantity: 0, unitPrice: 0 };
  return {
    ...view,
    status: STATUS_AFTER[event.type] ?? view.status,
    total: view.total + added.quantity * added.unitPrice,
    itemCount: view.itemCount + added.quantity,
    version: event.version,
    updatedAt: event.recordedAt,
  };
}

/** How an event after the creation changes an order's summary. */
export function evolveSummary(summary: OrderSummary, event: RecordedOrderEvent): OrderSummary {
  const changed: OrderSummary = {
    ...evolveOrderView(summary, event),
    timeline: [...summary.timeline, { type: event.type, at: event.recordedAt }],
  };
  // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check -- the other events change only what evolveOrderView sets
  switch (event.type) {
    case 'OrderItemAdded':
      return {
        ...changed,
        items: addLine(summary.items, event.data).map(({ productId, quantity, unitPrice }) => ({
          productId,
          quantity,
          unitPrice,
          lineTotal: quantity * unitPrice,
        })),
      };
    case 'OrderShipped':
      return { ...changed, shipping: event.data };
    case 'OrderCancelled':
      return { ...changed, cancellationReason: event.data.reason };
    default:
      return changed;
  }
}
