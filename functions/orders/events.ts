import * as z from 'zod';
import { defineEvents, type NewEventOf, type RecordedEventOf } from '../eventsourcing';

/**
 * The order events in `order-<id>` streams: the data of each type at its current schema
 * version. A change to a shape bumps the version: add an upcaster from the old version
 * (`upcasters`), and every reader sees old events in the new shape. None yet: every type is at
 * schema version 1.
 */
export const orderEvents = defineEvents({
  streamPrefix: 'order-',
  schemas: {
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
  },
});

export type OrderEvent = NewEventOf<typeof orderEvents.schemas>;
export type RecordedOrderEvent = RecordedEventOf<typeof orderEvents.schemas>;
