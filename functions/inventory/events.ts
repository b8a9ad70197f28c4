import * as z from 'zod';
import { defineEvents, type NewEventOf, type RecordedEventOf } from '../eventsourcing';

const quantity = z.int().positive();

/**
 * The product events in `product-<id>` streams: the data of each type at its current schema
 * version (every type at version 1: no upcasters yet).
 */
export const productEvents = defineEvents({
  streamPrefix: 'product-',
  schemas: {
    ProductAdded: z.object({ name: z.string(), unitPrice: z.int().positive() }),
    StockAdded: z.object({ quantity }),
    /** Units set aside for an order: they are no longer available to any other. */
    StockReserved: z.object({ orderId: z.string(), quantity }),
    /** An order's reservation given back, all of it. */
    StockReleased: z.object({ orderId: z.string(), quantity }),
  },
});

export type ProductEvent = NewEventOf<typeof productEvents.schemas>;
export type RecordedProductEvent = RecordedEventOf<typeof productEvents.schemas>;
