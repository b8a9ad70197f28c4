import { describe, expect, it } from 'vitest';
import { fold, type ReadModelItem } from '../../functions/eventsourcing';
import { given } from '../../functions/eventsourcing/testing';
import {
  MAX_STOCK,
  productDecider,
  stockOf,
  type ProductCommand,
  type ProductState,
} from '../../functions/inventory/decider';
import {
  productEvents,
  type ProductEvent,
  type RecordedProductEvent,
} from '../../functions/inventory/events';
import { productCatalogueProjection } from '../../functions/inventory/projections/catalogue';
import { seededRandom } from '../support/balance-projection';

const addLamp = { type: 'AddProduct', name: 'Desk lamp', unitPrice: 4999 } as const;
const lamp: ProductEvent = { type: 'ProductAdded', data: { name: 'Lamp', unitPrice: 1 } };
const stocked = (quantity: number): ProductEvent => ({ type: 'StockAdded', data: { quantity } });
const reserved = (orderId: string, quantity: number): ProductEvent => ({
  type: 'StockReserved',
  data: { orderId, quantity },
});
const released = (orderId: string, quantity: number): ProductEvent => ({
  type: 'StockReleased',
  data: { orderId, quantity },
});

/** Commands the decider refuses: the scenario, the history, the command, the error code. */
const refusals: [string, ProductEvent[], ProductCommand, string][] = [
  ['adding a product twice', [lamp], addLamp, 'ProductAlreadyExists'],
  ['stock for a missing product', [], { type: 'AddStock', quantity: 1 }, 'ProductNotFound'],
  ['no stock at all', [lamp], { type: 'AddStock', quantity: 0 }, 'InvalidQuantity'],
  [
    'stock past the limit',
    [lamp, stocked(MAX_STOCK)],
    { type: 'AddStock', quantity: 1 },
    'StockLimitExceeded',
  ],
  [
    'a reservation on a missing product',
    [],
    { type: 'ReserveStock', orderId: 'o1', quantity: 1 },
    'ProductNotFound',
  ],
  [
    'a reservation of nothing',
    [lamp, stocked(5)],
    { type: 'ReserveStock', orderId: 'o1', quantity: 0 },
    'InvalidQuantity',
  ],
];

describe('product decider', () => {
  it('adds a new product', () => {
    given(productDecider)
      .when(addLamp)
      .then([{ type: 'ProductAdded', data: { name: 'Desk lamp', unitPrice: 4999 } }]);
  });

  it('adds stock to a listed product', () => {
    given(productDecider, [lamp, stocked(2)])
      .when({ type: 'AddStock', quantity: 3 })
      .then([stocked(3)]);
  });

  it('reserves what is available for an order, once', () => {
    given(productDecider, [lamp, stocked(5), reserved('o1', 2)])
      .when({ type: 'ReserveStock', orderId: 'o2', quantity: 3 })
      .then([reserved('o2', 3)]);
    given(productDecider, [lamp, stocked(5), reserved('o1', 2)])
      .when({ type: 'ReserveStock', orderId: 'o1', quantity: 2 })
      .then([]);
  });

  it('refuses to reserve more than is available, saying how much is', () => {
    const error = given(productDecider, [lamp, stocked(5), reserved('o1', 2)])
      .when({ type: 'ReserveStock', orderId: 'o2', quantity: 4 })
      .thenThrows('OutOfStock');
    expect(error).toMatchObject({ details: { available: 3, requested: 4 } });
  });

  it("releases all of an order's reservation, and nothing for an order without one", () => {
    const history = [lamp, stocked(5), reserved('o1', 2)];
    given(productDecider, history)
      .when({ type: 'ReleaseStock', orderId: 'o1' })
      .then([released('o1', 2)]);
    given(productDecider, [...history, released('o1', 2)])
      .when({ type: 'ReleaseStock', orderId: 'o1' })
      .then([]);
    given(productDecider).when({ type: 'ReleaseStock', orderId: 'o1' }).then([]);
  });

  it('counts the stock on hand, reserved and available', () => {
    const { state } = given(productDecider, [
      lamp,
      stocked(10),
      reserved('o1', 2),
      reserved('o2', 3),
      released('o1', 2),
    ]);
    expect(state.status === 'listed' && stockOf(state)).toEqual({
      onHand: 10,
      reserved: 3,
      available: 7,
    });
  });

  it.each(refusals)('refuses %s', (_, history, command, code) => {
    given(productDecider, history).when(command).thenThrows(code);
  });

  it('never oversells, whatever reservations and releases come in whatever order', () => {
    const seen = { refusals: 0, fullyReserved: 0 };
    for (const seed of [1, 7, 42, 2026]) {
      const random = seededRandom(seed);
      const pick = (n: number) => Math.floor(random() * n);
      let state: ProductState = fold(productDecider, productDecider.initialState, [lamp]);
      for (let step = 0; step < 300; step++) {
        const orderId = `o${pick(12)}`;
        const commands: ProductCommand[] = [
          { type: 'AddStock', quantity: 1 + pick(3) },
          { type: 'ReserveStock', orderId, quantity: 1 + pick(6) },
          { type: 'ReserveStock', orderId, quantity: 1 + pick(6) },
          { type: 'ReleaseStock', orderId },
        ];
        const command = commands[pick(commands.length)]!;
        let events: readonly ProductEvent[] = [];
        try {
          events = productDecider.decide(command, state);
        } catch (error) {
          expect(error).toMatchObject({ code: 'OutOfStock' });
          seen.refusals++;
        }
        state = fold(productDecider, state, events);
        if (state.status !== 'listed') throw new Error('The product went missing');
        const { onHand, reserved: held, available } = stockOf(state);
        expect(available).toBeGreaterThanOrEqual(0);
        expect(onHand).toBe(available + held);
        if (held > 0 && available === 0) seen.fullyReserved++;
      }
    }
    // The sequences went where overselling could happen: everything reserved, and refusals.
    expect(seen.refusals).toBeGreaterThan(0);
    expect(seen.fullyReserved).toBeGreaterThan(0);
  });
});

describe('product catalogue projection', () => {
  const recorded = (version: number, event: ProductEvent) =>
    ({
      streamId: productEvents.streamId('sku-1'),
      version,
      eventId: `01J000000000000000000000${String(version).padStart(2, '0')}`,
      schemaVersion: 1,
      metadata: {},
      recordedAt: `2026-03-04T05:06:0${version}.000Z`,
      ...event,
    }) as RecordedProductEvent;

  it('keeps each product with its name, price, stock and version', async () => {
    const writes = await productCatalogueProjection.apply(
      recorded(1, { type: 'ProductAdded', data: { name: 'Desk lamp', unitPrice: 4999 } }),
      { get: () => Promise.resolve(undefined) },
    );
    expect(writes).toEqual([
      {
        put: {
          pk: 'product#sku-1',
          sk: 'entry',
          productId: 'sku-1',
          name: 'Desk lamp',
          unitPrice: 4999,
          stock: { onHand: 0, reserved: 0, available: 0 },
          version: 1,
          addedAt: '2026-03-04T05:06:01.000Z',
        },
      },
    ]);
  });

  it('follows the stock through additions, reservations and releases', async () => {
    let entry: ReadModelItem | undefined;
    const events = [lamp, stocked(10), reserved('o1', 4), reserved('o2', 1), released('o1', 4)];
    for (const [index, event] of events.entries()) {
      const [write] = await productCatalogueProjection.apply(recorded(index + 1, event), {
        get: () => Promise.resolve(entry),
      });
      entry = (write as { put: ReadModelItem }).put;
    }
    expect(entry).toMatchObject({
      stock: { onHand: 10, reserved: 1, available: 9 },
      version: 5,
      addedAt: '2026-03-04T05:06:01.000Z',
    });
  });
});
