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

export type OrderStatus = 'pending' | 'confirmed' | 'shipped' | 'delivered' | 'cancelled';

export type OrderCommand =
  | {
      readonly type: 'CreateOrder';
      readonly customerId: string;
      readonly items: readonly OrderLine[];
      readonly shippingAddress?: ShippingAddress;
    }
  | ({ readonly type: 'AddItem' } & OrderLine)
  | { readonly type: 'ConfirmOrder' }
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
  return [{ type: 'OrderConfirmed', data: { total: order.total } }];
}

function ship(command: CommandOf<'ShipOrder'>, state: OrderState): OrderEvent[] {
  requireStatus(existing(state), 'confirmed', 'OrderNotConfirmed', 'ship');
  const { trackingNumber, carrier } = command;
  return [{ type: 'OrderShipped', data: { trackingNumber, carrier } }];
}

function deliver(state: OrderState): OrderEvent[] {
  requireStatus(existing(state), 'shipped', 'OrderNotShipped', 'deliver');
  return [{ type: 'OrderDelivered', data: {} }];
}

/** Only an order that has not left yet may be cancelled. */
function cancel(command: CommandOf<'CancelOrder'>, state: OrderState): OrderEvent[] {
  const order = existing(state);
  if (order.status !== 'pending' && order.status !== 'confirmed') {
    throw new DomainError('OrderNotCancellable', `Cannot cancel an order that is ${order.status}`, {
      status: order.status,
    });
  }
  return [{ type: 'OrderCancelled', data: { reason: command.reason } }];
}

/** An order: create, add items, confirm, ship, deliver, cancel. Prices in minor units. */
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
      case 'ShipOrder':
        return ship(command, state);
      case 'DeliverOrder':
        return deliver(state);
      case 'CancelOrder':
        return cancel(command, state);
    }
  },
};
