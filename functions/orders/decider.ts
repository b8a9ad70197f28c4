import { DomainError, type Decider } from '../eventsourcing';
import type { OrderEvent } from './events';

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

/** Checks the business rules of adding `item` to `lines`; returns the event it causes. */
// eslint-disable-next-line complexity -- predates the complexity cap; split when next changed
function itemAdded(lines: readonly OrderLine[], total: number, item: OrderLine): OrderEvent {
  const { productId, quantity, unitPrice } = item;
  if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
    throw new DomainError(
      'InvalidQuantity',
      `quantity must be an integer from 1 to ${MAX_QUANTITY}`,
    );
  }
  if (!Number.isSafeInteger(unitPrice) || unitPrice < 1 || unitPrice > MAX_UNIT_PRICE) {
    throw new DomainError(
      'InvalidAmount',
      `unitPrice must be a positive integer of minor units, at most ${MAX_UNIT_PRICE}`,
    );
  }
  const line = lines.find((l) => l.productId === productId);
  if (line && line.unitPrice !== unitPrice) {
    throw new DomainError(
      'ItemPriceMismatch',
      `Product '${productId}' is already in the order at unit price ${line.unitPrice}`,
      { productId, unitPrice: line.unitPrice },
    );
  }
  if (line && line.quantity + quantity > MAX_QUANTITY) {
    throw new DomainError(
      'InvalidQuantity',
      `Product '${productId}' may not exceed quantity ${MAX_QUANTITY}`,
    );
  }
  if (!line && lines.length >= MAX_LINES) {
    throw new DomainError('TooManyItems', `An order holds at most ${MAX_LINES} products`);
  }
  if (total + quantity * unitPrice > MAX_TOTAL) {
    throw new DomainError('OrderTotalTooLarge', `An order's total may not exceed ${MAX_TOTAL}`);
  }
  return { type: 'OrderItemAdded', data: { productId, quantity, unitPrice } };
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

  // eslint-disable-next-line complexity -- predates the complexity cap; split when next changed
  decide(command, state) {
    switch (command.type) {
      case 'CreateOrder': {
        if (state.status !== 'none') {
          throw new DomainError('OrderAlreadyExists', 'The order already exists');
        }
        const events: OrderEvent[] = [
          { type: 'OrderCreated', data: { customerId: command.customerId } },
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
      case 'AddItem': {
        const order = existing(state);
        requireStatus(order, 'pending', 'OrderNotPending', 'add items to');
        const { productId, quantity, unitPrice } = command;
        return [itemAdded(order.lines, order.total, { productId, quantity, unitPrice })];
      }
      case 'ConfirmOrder': {
        const order = existing(state);
        requireStatus(order, 'pending', 'OrderNotPending', 'confirm');
        if (order.lines.length === 0) {
          throw new DomainError('OrderEmpty', 'Cannot confirm an order without items');
        }
        return [{ type: 'OrderConfirmed', data: { total: order.total } }];
      }
      case 'ShipOrder': {
        const order = existing(state);
        requireStatus(order, 'confirmed', 'OrderNotConfirmed', 'ship');
        const { trackingNumber, carrier } = command;
        return [{ type: 'OrderShipped', data: { trackingNumber, carrier } }];
      }
      case 'DeliverOrder': {
        const order = existing(state);
        requireStatus(order, 'shipped', 'OrderNotShipped', 'deliver');
        return [{ type: 'OrderDelivered', data: {} }];
      }
      case 'CancelOrder': {
        const order = existing(state);
        if (order.status !== 'pending' && order.status !== 'confirmed') {
          throw new DomainError(
            'OrderNotCancellable',
            `Cannot cancel an order that is ${order.status}`,
            { status: order.status },
          );
        }
        return [{ type: 'OrderCancelled', data: { reason: command.reason } }];
      }
    }
  },
};
