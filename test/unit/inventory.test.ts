import { describe, expect, it } from 'vitest';
import { given } from '../../functions/eventsourcing/testing';
import { productDecider } from '../../functions/inventory/decider';
import { productEvents, type RecordedProductEvent } from '../../functions/inventory/events';
import { productCatalogueProjection } from '../../functions/inventory/projections/catalogue';

const addLamp = { type: 'AddProduct', name: 'Desk lamp', unitPrice: 4999 } as const;

describe('product decider', () => {
  it('adds a new product', () => {
    given(productDecider)
      .when(addLamp)
      .then([{ type: 'ProductAdded', data: { name: 'Desk lamp', unitPrice: 4999 } }]);
  });

  it('refuses to add a product twice', () => {
    given(productDecider, [{ type: 'ProductAdded', data: { name: 'Lamp', unitPrice: 1 } }])
      .when(addLamp)
      .thenThrows('ProductAlreadyExists');
  });
});

describe('product catalogue projection', () => {
  it('keeps each product with its name, price and version', async () => {
    const event: RecordedProductEvent = {
      streamId: productEvents.streamId('sku-1'),
      version: 1,
      eventId: '01J0000000000000000000000A',
      type: 'ProductAdded',
      schemaVersion: 1,
      data: { name: 'Desk lamp', unitPrice: 4999 },
      metadata: {},
      recordedAt: '2026-03-04T05:06:07.000Z',
    };
    const writes = await productCatalogueProjection.apply(event, {
      get: () => Promise.resolve(undefined),
    });
    expect(writes).toEqual([
      {
        put: {
          pk: 'product#sku-1',
          sk: 'entry',
          productId: 'sku-1',
          name: 'Desk lamp',
          unitPrice: 4999,
          version: 1,
          addedAt: '2026-03-04T05:06:07.000Z',
        },
      },
    ]);
  });
});
