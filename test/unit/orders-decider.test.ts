import { describe, expect, it } from 'vitest';
import { given } from '../../functions/eventsourcing/testing';
import {
  MAX_LINES,
  MAX_QUANTITY,
  orderDecider,
  type OrderCommand,
} from '../../functions/orders/decider';
import { orderEvents, type OrderEvent } from '../../functions/orders/events';

const created: OrderEvent = { type: 'OrderCreated', data: { customerId: 'c1' } };
const added = (productId: string, quantity: number, unitPrice: number): OrderEvent => ({
  type: 'OrderItemAdded',
  data: { productId, quantity, unitPrice },
});
const confirmed: OrderEvent = {
  type: 'OrderConfirmed',
  data: { total: 500, customerId: 'c1', lines: [{ productId: 'p1', quantity: 5 }] },
};
const submitted: OrderEvent = { type: 'OrderPaymentSubmitted', data: { accountId: 'a1' } };
const paid: OrderEvent = { type: 'OrderPaid', data: { accountId: 'a1', amount: 500 } };
const shipped: OrderEvent = {
  type: 'OrderShipped',
  data: { trackingNumber: 'T1', carrier: 'UPS' },
};
const delivered: OrderEvent = { type: 'OrderDelivered', data: {} };
const cancelled: OrderEvent = { type: 'OrderCancelled', data: { reason: 'changed my mind' } };

const items = (count: number) => Array.from({ length: count }, (_, i) => added(`p${i}`, 1, 1));
const pending = [created, added('p1', 5, 100)];
const payable = [...pending, confirmed];
const markPaid = { type: 'MarkOrderPaid', accountId: 'a1', amount: 500 } as const;

/** Commands the decider refuses: the scenario, the history, the command, the error code. */
const refusals: [string, OrderEvent[], OrderCommand, string][] = [
  [
    'a second creation',
    [created],
    { type: 'CreateOrder', customerId: 'c2', items: [] },
    'OrderAlreadyExists',
  ],
  [
    'a product at another price than its line',
    [created, added('p1', 1, 100)],
    { type: 'AddItem', productId: 'p1', quantity: 1, unitPrice: 99 },
    'ItemPriceMismatch',
  ],
  [
    'a line beyond the maximum quantity',
    [created, added('p1', MAX_QUANTITY, 1)],
    { type: 'AddItem', productId: 'p1', quantity: 1, unitPrice: 1 },
    'InvalidQuantity',
  ],
  [
    'a line more than an order holds',
    [created, ...items(MAX_LINES)],
    { type: 'AddItem', productId: 'another', quantity: 1, unitPrice: 1 },
    'TooManyItems',
  ],
  [
    'an item that makes the total too large',
    [created, added('p1', 1, 1_000_000_000_000)],
    { type: 'AddItem', productId: 'p2', quantity: 1, unitPrice: 1 },
    'OrderTotalTooLarge',
  ],
  [
    'a quantity of zero',
    [created],
    { type: 'AddItem', productId: 'p1', quantity: 0, unitPrice: 1 },
    'InvalidQuantity',
  ],
  ['confirming an empty order', [created], { type: 'ConfirmOrder' }, 'OrderEmpty'],
  [
    'shipping a pending order',
    [created, added('p1', 1, 1)],
    { type: 'ShipOrder', trackingNumber: 'T', carrier: 'C' },
    'OrderNotPaid',
  ],
  [
    'shipping an order confirmed but not paid',
    [...payable, submitted],
    { type: 'ShipOrder', trackingNumber: 'T', carrier: 'C' },
    'OrderNotPaid',
  ],
  [
    'paying for an order not confirmed',
    pending,
    { type: 'PayOrder', accountId: 'a1' },
    'OrderNotConfirmed',
  ],
  [
    'paying for a cancelled order',
    [...payable, cancelled],
    { type: 'PayOrder', accountId: 'a1' },
    'OrderNotConfirmed',
  ],
  [
    'a second payment',
    [...payable, submitted],
    { type: 'PayOrder', accountId: 'a2' },
    'PaymentAlreadySubmitted',
  ],
  [
    'marking a cancelled order paid',
    [...payable, submitted, cancelled],
    markPaid,
    'OrderNotConfirmed',
  ],
  ['marking a paid order paid again', [...payable, submitted, paid], markPaid, 'OrderNotConfirmed'],
  [
    'marking an order paid with another amount than its total',
    [...payable, submitted],
    { ...markPaid, amount: 499 },
    'PaymentAmountMismatch',
  ],
  [
    'cancelling a paid order',
    [...payable, submitted, paid],
    { type: 'CancelOrder', reason: 'too late' },
    'OrderNotCancellable',
  ],
  [
    'delivering an order not shipped',
    [...pending, confirmed],
    { type: 'DeliverOrder' },
    'OrderNotShipped',
  ],
  [
    'adding to a confirmed order',
    [...pending, confirmed],
    { type: 'AddItem', productId: 'p2', quantity: 1, unitPrice: 1 },
    'OrderNotPending',
  ],
  [
    'cancelling a shipped order',
    [...payable, submitted, paid, shipped],
    { type: 'CancelOrder', reason: 'late' },
    'OrderNotCancellable',
  ],
  [
    'confirming a cancelled order',
    [created, cancelled],
    { type: 'ConfirmOrder' },
    'OrderNotPending',
  ],
  ['delivering an order that does not exist', [], { type: 'DeliverOrder' }, 'OrderNotFound'],
];

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

  it('confirms a pending order with items, naming its customer and the units to fulfil', () => {
    given(orderDecider, [...pending, added('p2', 1, 50)])
      .when({ type: 'ConfirmOrder' })
      .then([
        {
          type: 'OrderConfirmed',
          data: {
            total: 550,
            customerId: 'c1',
            lines: [
              { productId: 'p1', quantity: 5 },
              { productId: 'p2', quantity: 1 },
            ],
          },
        },
      ]);
  });

  it('reads an order confirmed before the lines were recorded as one with none', () => {
    const stored = {
      streamId: orderEvents.streamId('legacy'),
      version: 3,
      eventId: '01J0000000000000000000000C',
      type: 'OrderConfirmed',
      schemaVersion: 1,
      data: { total: 500 },
      metadata: {},
      recordedAt: '2026-01-01T00:00:00.000Z',
    };
    expect(orderEvents.parse(stored)).toMatchObject({
      schemaVersion: 2,
      data: { total: 500, customerId: '', lines: [] },
    });
  });

  it('submits the payment of a confirmed order, and marks it paid once charged', () => {
    given(orderDecider, payable).when({ type: 'PayOrder', accountId: 'a1' }).then([submitted]);
    given(orderDecider, [...payable, submitted])
      .when(markPaid)
      .then([paid]);
    expect(given(orderDecider, [...payable, submitted, paid]).state).toMatchObject({
      status: 'paid',
      paymentAccountId: 'a1',
    });
  });

  it('ships a paid order', () => {
    given(orderDecider, [...payable, submitted, paid])
      .when({ type: 'ShipOrder', trackingNumber: 'T1', carrier: 'UPS' })
      .then([shipped]);
  });

  it('delivers a shipped order', () => {
    given(orderDecider, [...payable, submitted, paid, shipped])
      .when({ type: 'DeliverOrder' })
      .then([delivered]);
  });

  it('cancels a pending order', () => {
    given(orderDecider, [created])
      .when({ type: 'CancelOrder', reason: 'changed my mind' })
      .then([cancelled]);
  });

  it('cancels a confirmed order', () => {
    given(orderDecider, [...pending, confirmed])
      .when({ type: 'CancelOrder', reason: 'changed my mind' })
      .then([cancelled]);
  });

  it.each(refusals)('refuses %s', (_, history, command, code) => {
    given(orderDecider, history).when(command).thenThrows(code);
  });
});
