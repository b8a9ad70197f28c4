import * as z from 'zod';
import { EventCatalogue, type NewEventOf, type RecordedEventOf } from '../eventsourcing';
import { eventTypesOf } from '../eventsourcing/event-schemas';

/** The data of each product event at its current schema version. */
export const productEventSchemas = {
  ProductAdded: z.object({ name: z.string(), unitPrice: z.int().positive() }),
} as const;

export type ProductEvent = NewEventOf<typeof productEventSchemas>;
export type RecordedProductEvent = RecordedEventOf<typeof productEventSchemas>;

export const PRODUCT_EVENT_TYPES = eventTypesOf(productEventSchemas);

/** The product events' catalogue (every type at schema version 1: no upcasters yet). */
export const productEvents = EventCatalogue.of(productEventSchemas, {});

const STREAM_PREFIX = 'product-';

export const productStreamId = (productId: string) => `${STREAM_PREFIX}${productId}`;

export const productIdOf = (streamId: string) => streamId.slice(STREAM_PREFIX.length);
