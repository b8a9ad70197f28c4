import * as z from 'zod';
import { defineEvents, type NewEventOf, type RecordedEventOf } from '../eventsourcing';

/** A postal address an order is shipped to. */
export const shippingAddress = z.object({
  name: z.string(),
  line1: z.string(),
  line2: z.string().optional(),
  city: z.string(),
  postalCode: z.string(),
  /** ISO 3166-1 alpha-2 code. */
  country: z.string().length(2),
});

export type ShippingAddress = z.infer<typeof shippingAddress>;

/**
 * The order events in `order-<id>` streams: the data of each type at its current schema
 * version. A change to a shape bumps the version: add an upcaster from the old version
 * (`upcasters`), and every reader sees old events in the new shape. `OrderConfirmed` is at
 * version 2 (it names the customer and the lines to fulfil); every other type at version 1.
 */
export const orderEvents = defineEvents({
  streamPrefix: 'order-',
  schemas: {
    OrderCreated: z.object({
      customerId: z.string(),
      /** Where the order goes: personal data of the customer, stored encrypted. */
      shippingAddress: shippingAddress.optional(),
    }),
    OrderItemAdded: z.object({
      productId: z.string(),
      quantity: z.int().positive(),
      unitPrice: z.int().positive(),
    }),
    OrderConfirmed: z.object({
      total: z.int().positive(),
      customerId: z.string(),
      /** What to fulfil: each product's units. */
      lines: z.array(z.object({ productId: z.string(), quantity: z.int().positive() })),
    }),
    /** The customer asked to pay with one of their accounts: the charge is yet to come. */
    OrderPaymentSubmitted: z.object({ accountId: z.string() }),
    OrderPaid: z.object({ accountId: z.string(), amount: z.int().positive() }),
    OrderShipped: z.object({ trackingNumber: z.string(), carrier: z.string() }),
    OrderDelivered: z.object({}),
    OrderCancelled: z.object({ reason: z.string() }),
  },
  upcasters: {
    // Orders confirmed before version 2 name neither: nothing to reserve, no one to charge.
    OrderConfirmed: { 1: (data) => ({ customerId: '', lines: [], ...data }) },
  },
  // Sealed under the customer's key; an erased customer's orders read with this replacement.
  personal: {
    OrderCreated: {
      subject: 'customerId',
      fields: {
        shippingAddress: {
          name: '[erased]',
          line1: '[erased]',
          city: '[erased]',
          postalCode: '[erased]',
          country: 'XX',
        },
      },
    },
  },
});

export type OrderEvent = NewEventOf<typeof orderEvents.schemas>;
export type RecordedOrderEvent = RecordedEventOf<typeof orderEvents.schemas>;
