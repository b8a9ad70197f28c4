import { z } from 'zod';
import { Upcasters, type NewEvent, type RecordedEvent } from '../eventsourcing';

/**
 * The data of each order event at its current schema version. A change to a shape bumps the
 * version: add an upcaster from the old version to `orderUpcasters`, and every reader sees old
 * events in the new shape.
 */
export const orderEventSchemas = {
  OrderCreated: z.object({ customerId: z.string() }),
  OrderItemAdded: z.object({
    productId: z.string(),
    quantity: z.int().positive(),
    unitPrice: z.int().positive(),
  }),
  OrderConfirmed: z.object({ total: z.int().positive() }),
  OrderShipped: z.object({ trackingNumber: z.string(), carrier: z.string() }),
  OrderDelivered: z.object({}),
  OrderCancelled: z.object({ reason: z.string() }),
} as const;

type Schemas = typeof orderEventSchemas;
export type OrderEventType = keyof Schemas;

export type OrderEvent = {
  [Type in OrderEventType]: NewEvent<Type, z.infer<Schemas[Type]>>;
}[OrderEventType];

export type RecordedOrderEvent = {
  [Type in OrderEventType]: RecordedEvent<Type, z.infer<Schemas[Type]>>;
}[OrderEventType];

export const ORDER_EVENT_TYPES = Object.keys(orderEventSchemas) as OrderEventType[];

/** No order event has changed shape yet: every type is at schema version 1. */
export const orderUpcasters = new Upcasters({});

const STREAM_PREFIX = 'order-';

export const orderStreamId = (orderId: string) => `${STREAM_PREFIX}${orderId}`;

export const orderIdOf = (streamId: string) => streamId.slice(STREAM_PREFIX.length);

/** Checks a recorded event against its schema; throws (so the event is parked) when it does not fit. */
export function parseOrderEvent(event: RecordedEvent): RecordedOrderEvent {
  const schema = orderEventSchemas[event.type as OrderEventType];
  if (!schema) throw new Error(`Unknown order event type '${event.type}'`);
  return { ...event, data: schema.parse(event.data) } as RecordedOrderEvent;
}
