import { DomainError, type Decider } from '../eventsourcing';
import type { OrderEvent, ShippingAddress } from './events';

export const MAX_UNIT_PRICE = 1_000_000_000_000;
export const MAX_QUANTITY = 1_000;
export const MAX_LINES = 100;
/** An order's total obeys the same ceiling as any amount. */
export const MAX_TOTAL = 1_000_000_000_000;

export interface OrderLine {
  readonly productId: string;
  readonly quantity: number;
  readonly unitPrice: number;
}

export type OrderStatus = 'pending' | 'confirmed' | 'paid' | 'shipped' | 'delivered' | 'cancelled';

export type OrderCommand =
  | {
      readonly type: 'CreateOrder';
      readonly customerId: string;
      readonly items: readonly OrderLine[];
      readonly shippingAddress?: ShippingAddress;
    }
  | ({ readonly type: 'AddItem' } & OrderLine)
  | { readonly type: 'ConfirmOrder' }
  /** The customer pays with one of their accounts; the charge itself comes after. */
  | { readonly type: 'PayOrder'; readonly accountId: string }
  /** The account was charged the amount: sent by the fulfilment process, not by a client. */
  | { readonly type: 'MarkOrderPaid'; readonly accountId: string; readonly amount: number }
  | { readonly type: 'ShipOrder'; readonly trackingNumber: string; readonly carrier: string }
  | { readonly type: 'DeliverOrder' }
  | { readonly type: 'CancelOrder'; readonly reason: string };

export type OrderState =
  | { readonly status: 'none' }
  | {
      readonly status: OrderStatus;
      readonly customerId: string;
      readonly lines: readonly OrderLine[];
      readonly total: number;
      /** The account the customer pays with, once they submitted the payment. */
      readonly paymentAccountId?: string;
    };

type ExistingOrder = Exclude<OrderState, { status: 'none' }>;

/** The lines after adding one item: the same product at the same price adds to its quantity. */
export function addLine(lines: readonly OrderLine[], item: OrderLine): OrderLine[] {
  const index = lines.findIndex((line) => line.productId === item.productId);
  if (index === -1) return [...lines, item];
  return lines.map((line, i) =>
    i === index ? { ...line, quantity: line.quantity + item.quantity } : line,
  );
}

function existing(state: OrderState): ExistingOrder {
  if (state.status === 'none') throw new DomainError('OrderNotFound', 'No such order');
  return state;
}

function requireStatus(order: ExistingOrder, status: OrderStatus, code: string, action: string) {
  if (order.status !== status) {
    throw new DomainError(code, `Cannot ${action} an order that is ${order.status}`, {
      status: order.status,
    });
  }
}

function assertQuantity(quantity: number): void {
  if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
    throw new DomainError(
      'InvalidQuantity',
      `quantity must be an integer from 1 to ${MAX_QUANTITY}`,
    );
  }
}

function assertUnitPrice(unitPrice: number): void {
  if (!Number.isSafeInteger(unitPrice) || unitPrice < 1 || unitPrice > MAX_UNIT_PRICE) {
    throw new DomainError(
      'InvalidAmount',
      `unitPrice must be a positive integer of minor units, at most ${MAX_UNIT_PRICE}`,
    );
  }
}

/** The product's line may take the item: same unit price, quantity within the cap. */
function assertFitsLine(line: OrderLine, item: OrderLine): void {
  if (line.unitPrice !== item.unitPrice) {
    throw new DomainError(
      'ItemPriceMismatch',
      `Product '${item.productId}' is already in the order at unit price ${line.unitPrice}`,
      { productId: item.productId, unitPrice: line.unitPrice },
    );
  }
  if (line.quantity + item.quantity > MAX_QUANTITY) {
    throw new DomainError(
      'InvalidQuantity',
      `Product '${item.productId}' may not exceed quantity ${MAX_QUANTITY}`,
    );
  }
}

/** Checks the business rules of adding `item` to `lines`; returns the event it causes. */
function itemAdded(lines: readonly OrderLine[], total: number, item: OrderLine): OrderEvent {
  const { productId, quantity, unitPrice } = item;
  assertQuantity(quantity);
  assertUnitPrice(unitPrice);
  const line = lines.find((l) => l.productId === productId);
  if (line) assertFitsLine(line, item);
  else if (lines.length >= MAX_LINES) {
    throw new DomainError('TooManyItems', `An order holds at most ${MAX_LINES} products`);
  }
  if (total + quantity * unitPrice > MAX_TOTAL) {
    throw new DomainError('OrderTotalTooLarge', `An order's total may not exceed ${MAX_TOTAL}`);
  }
  return { type: 'OrderItemAdded', data: { productId, quantity, unitPrice } };
}

type CommandOf<T extends OrderCommand['type']> = Extract<OrderCommand, { type: T }>;

/** A new order with its first items: one event for the creation, one per item. */
function create(command: CommandOf<'CreateOrder'>, state: OrderState): OrderEvent[] {
  if (state.status !== 'none') {
    throw new DomainError('OrderAlreadyExists', 'The order already exists');
  }
  const { customerId, shippingAddress } = command;
  const events: OrderEvent[] = [
    {
      type: 'OrderCreated',
      data: { customerId, ...(shippingAddress ? { shippingAddress } : {}) },
    },
  ];
  let lines: OrderLine[] = [];
  let total = 0;
  for (const item of command.items) {
    events.push(itemAdded(lines, total, item));
    lines = addLine(lines, item);
    total += item.quantity * item.unitPrice;
  }
  return events;
}

function addItem(command: CommandOf<'AddItem'>, state: OrderState): OrderEvent[] {
  const order = existing(state);
  requireStatus(order, 'pending', 'OrderNotPending', 'add items to');
  const { productId, quantity, unitPrice } = command;
  return [itemAdded(order.lines, order.total, { productId, quantity, unitPrice })];
}

function confirm(state: OrderState): OrderEvent[] {
  const order = existing(state);
  requireStatus(order, 'pending', 'OrderNotPending', 'confirm');
  if (order.lines.length === 0) {
    throw new DomainError('OrderEmpty', 'Cannot confirm an order without items');
  }
  const { total, customerId } = order;
  const lines = order.lines.map(({ productId, quantity }) => ({ productId, quantity }));
  return [{ type: 'OrderConfirmed', data: { total, customerId, lines } }];
}

/** One payment per order: a second one is refused, whatever became of the first. */
function pay(command: CommandOf<'PayOrder'>, state: OrderState): OrderEvent[] {
  const order = existing(state);
  if (order.paymentAccountId !== undefined) {
    throw new DomainError('PaymentAlreadySubmitted', 'The payment of this order is submitted', {
      accountId: order.paymentAccountId,
    });
  }
  requireStatus(order, 'confirmed', 'OrderNotConfirmed', 'pay for');
  return [{ type: 'OrderPaymentSubmitted', data: { accountId: command.accountId } }];
}

function markPaid(command: CommandOf<'MarkOrderPaid'>, state: OrderState): OrderEvent[] {
  const order = existing(state);
  requireStatus(order, 'confirmed', 'OrderNotConfirmed', 'mark paid');
  if (command.amount !== order.total) {
    throw new DomainError(
      'PaymentAmountMismatch',
      `The order's total is ${order.total}, not ${command.amount}`,
      { total: order.total, amount: command.amount },
    );
  }
  const { accountId, amount } = command;
  return [{ type: 'OrderPaid', data: { accountId, amount } }];
}

/** Only a paid order is ready to ship. */
function ship(command: CommandOf<'ShipOrder'>, state: OrderState): OrderEvent[] {
  requireStatus(existing(state), 'paid', 'OrderNotPaid', 'ship');
  const { trackingNumber, carrier } = command;
  return [{ type: 'OrderShipped', data: { trackingNumber, carrier } }];
}

function deliver(state: OrderState): OrderEvent[] {
  requireStatus(existing(state), 'shipped', 'OrderNotShipped', 'deliver');
  return [{ type: 'OrderDelivered', data: {} }];
}

/** Only an order not yet paid may be cancelled. */
function cancel(command: CommandOf<'CancelOrder'>, state: OrderState): OrderEvent[] {
  const order = existing(state);
  if (order.status !== 'pending' && order.status !== 'confirmed') {
    throw new DomainError('OrderNotCancellable', `Cannot cancel an order that is ${order.status}`, {
      status: order.status,
    });
  }
  return [{ type: 'OrderCancelled', data: { reason: command.reason } }];
}

/**
 * An order: create, add items, confirm, pay, ship, deliver, cancel. Prices in minor units.
 */
export const orderDecider: Decider<OrderCommand, OrderState, OrderEvent> = {
  initialState: { status: 'none' },

  evolve(state, event) {
    if (event.type === 'OrderCreated') {
      return { status: 'pending', customerId: event.data.customerId, lines: [], total: 0 };
    }
    if (state.status === 'none') return state;
    switch (event.type) {
      case 'OrderItemAdded':
        return {
          ...state,
          lines: addLine(state.lines, event.data),
          total: state.total + event.data.quantity * event.data.unitPrice,
        };
      case 'OrderConfirmed':
        return { ...state, status: 'confirmed' };
      case 'OrderPaymentSubmitted':
        return { ...state, paymentAccountId: event.data.accountId };
      case 'OrderPaid':
        return { ...state, status: 'paid' };
      case 'OrderShipped':
        return { ...state, status: 'shipped' };
      case 'OrderDelivered':
        return { ...state, status: 'delivered' };
      case 'OrderCancelled':
        return { ...state, status: 'cancelled' };
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'CreateOrder':
        return create(command, state);
      case 'AddItem':
        return addItem(command, state);
      case 'ConfirmOrder':
        return confirm(state);
      case 'PayOrder':
        return pay(command, state);
      case 'MarkOrderPaid':
        return markPaid(command, state);
      case 'ShipOrder':
        return ship(command, state);
      case 'DeliverOrder':
        return deliver(state);
      case 'CancelOrder':
        return cancel(command, state);
    }
  },
};
