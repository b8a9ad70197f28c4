import { describe, expect, it } from 'vitest';
import { given } from '../../functions/eventsourcing/decider-testing';
import { MAX_LINES, MAX_QUANTITY, orderDecider } from '../../functions/orders/decider';
import type { OrderEvent } from '../../functions/orders/events';

const created: OrderEvent = { type: 'OrderCreated', data: { customerId: 'c1' } };
const added = (productId: string, quantity: number, unitPrice: number): OrderEvent => ({
  type: 'OrderItemAdded',
  data: { productId, quantity, unitPrice },
});
const confirmed: OrderEvent = { type: 'OrderConfirmed', data: { total: 500 } };
const shipped: OrderEvent = {
  type: 'OrderShipped',
  data: { trackingNumber: 'T1', carrier: 'UPS' },
};
const delivered: OrderEvent = { type: 'OrderDelivered', data: {} };
const cancelled: OrderEvent = { type: 'OrderCancelled', data: { reason: 'changed my mind' } };

describe('order decider', () => {
  it('creates an order with its first items in one decision', () => {
    given(orderDecider)
      .when({
        type: 'CreateOrder',
        customerId: 'c1',
        items: [
          { productId: 'p1', quantity: 2, unitPrice: 100 },
          { productId: 'p1', quantity: 1, unitPrice: 100 },
        ],
      })
      .then([created, added('p1', 2, 100), added('p1', 1, 100)]);
    given(orderDecider, [created])
      .when({ type: 'CreateOrder', customerId: 'c2', items: [] })
      .thenThrows('OrderAlreadyExists');
  });

  it('merges an added product into its line and totals the order', () => {
    const { state } = given(orderDecider, [
      created,
      added('p1', 2, 100),
      added('p1', 3, 100),
      added('p2', 1, 50),
    ]);
    expect(state).toEqual({
      status: 'pending',
      customerId: 'c1',
      lines: [
        { productId: 'p1', quantity: 5, unitPrice: 100 },
        { productId: 'p2', quantity: 1, unitPrice: 50 },
      ],
      total: 550,
    });
  });

  it('refuses items that break the rules', () => {
    given(orderDecider, [created, added('p1', 1, 100)])
      .when({ type: 'AddItem', productId: 'p1', quantity: 1, unitPrice: 99 })
      .thenThrows('ItemPriceMismatch');
    given(orderDecider, [created, added('p1', MAX_QUANTITY, 1)])
      .when({ type: 'AddItem', productId: 'p1', quantity: 1, unitPrice: 1 })
      .thenThrows('InvalidQuantity');
    const full = Array.from({ length: MAX_LINES }, (_, i) => added(`p${i}`, 1, 1));
    given(orderDecider, [created, ...full])
      .when({ type: 'AddItem', productId: 'another', quantity: 1, unitPrice: 1 })
      .thenThrows('TooManyItems');
    given(orderDecider, [created, added('p1', 1, 1_000_000_000_000)])
      .when({ type: 'AddItem', productId: 'p2', quantity: 1, unitPrice: 1 })
      .thenThrows('OrderTotalTooLarge');
    given(orderDecider, [created])
      .when({ type: 'AddItem', productId: 'p1', quantity: 0, unitPrice: 1 })
      .thenThrows('InvalidQuantity');
  });

  it('follows the lifecycle pending → confirmed → shipped → delivered', () => {
    given(orderDecider, [created, added('p1', 5, 100)])
      .when({ type: 'ConfirmOrder' })
      .then([confirmed]);
    given(orderDecider, [created, added('p1', 5, 100), confirmed])
      .when({ type: 'ShipOrder', trackingNumber: 'T1', carrier: 'UPS' })
      .then([shipped]);
    given(orderDecider, [created, added('p1', 5, 100), confirmed, shipped])
      .when({ type: 'DeliverOrder' })
      .then([delivered]);
  });

  it('refuses illegal transitions', () => {
    given(orderDecider, [created]).when({ type: 'ConfirmOrder' }).thenThrows('OrderEmpty');
    given(orderDecider, [created, added('p1', 1, 1)])
      .when({ type: 'ShipOrder', trackingNumber: 'T', carrier: 'C' })
      .thenThrows('OrderNotConfirmed');
    given(orderDecider, [created, added('p1', 5, 100), confirmed])
      .when({ type: 'DeliverOrder' })
      .thenThrows('OrderNotShipped');
    given(orderDecider, [created, added('p1', 5, 100), confirmed])
      .when({ type: 'AddItem', productId: 'p2', quantity: 1, unitPrice: 1 })
      .thenThrows('OrderNotPending');
    given(orderDecider, [created, added('p1', 5, 100), confirmed, shipped])
      .when({ type: 'CancelOrder', reason: 'late' })
      .thenThrows('OrderNotCancellable');
    given(orderDecider, [created, cancelled])
      .when({ type: 'ConfirmOrder' })
      .thenThrows('OrderNotPending');
    given(orderDecider).when({ type: 'DeliverOrder' }).thenThrows('OrderNotFound');
  });

  it('cancels pending and confirmed orders', () => {
    given(orderDecider, [created])
      .when({ type: 'CancelOrder', reason: 'changed my mind' })
      .then([cancelled]);
    given(orderDecider, [created, added('p1', 5, 100), confirmed])
      .when({ type: 'CancelOrder', reason: 'changed my mind' })
      .then([cancelled]);
  });
});
