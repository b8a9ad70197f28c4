import * as z from 'zod';
import { defineEvents, type NewEventOf, type RecordedEventOf } from '../eventsourcing';

/**
 * The product events in `product-<id>` streams: the data of each type at its current schema
 * version (every type at version 1: no upcasters yet).
 */
export const productEvents = defineEvents({
  streamPrefix: 'product-',
  schemas: {
    ProductAdded: z.object({ name: z.string(), unitPrice: z.int().positive() }),
  },
});

export type ProductEvent = NewEventOf<typeof productEvents.schemas>;
export type RecordedProductEvent = RecordedEventOf<typeof productEvents.schemas>;
