import * as z from 'zod';
import {
  EventCatalogue,
  type NewEventOf,
  type RecordedEvent,
  type RecordedEventOf,
} from '../eventsourcing';
import { eventTypesOf } from '../eventsourcing/event-schemas';

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

export type OrderEvent = NewEventOf<typeof orderEventSchemas>;
export type RecordedOrderEvent = RecordedEventOf<typeof orderEventSchemas>;

export const ORDER_EVENT_TYPES = eventTypesOf(orderEventSchemas);

/**
 * The order events' catalogue: their schemas, and (none yet: every type is at schema version 1)
 * the upcasters lifting older schema versions to the current ones.
 */
export const orderEvents = EventCatalogue.of(orderEventSchemas, {});

export const orderUpcasters = orderEvents.upcasters;

const STREAM_PREFIX = 'order-';

export const orderStreamId = (orderId: string) => `${STREAM_PREFIX}${orderId}`;

export const orderIdOf = (streamId: string) => streamId.slice(STREAM_PREFIX.length);

/**
 * A stored order event upcast and checked against its schema; throws `CorruptEventError` (so
 * a projection parks it) when it does not fit.
 */
export const parseOrderEvent = (event: RecordedEvent) => orderEvents.parse(event);
