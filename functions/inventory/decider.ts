import { DomainError, type Decider } from '../eventsourcing';
import type { ProductEvent } from './events';

export const MAX_UNIT_PRICE = 1_000_000_000;
/** The most units a product may have on hand (and so the most one delivery may add). */
export const MAX_STOCK = 1_000_000_000;

export type ProductCommand =
  | { readonly type: 'AddProduct'; readonly name: string; readonly unitPrice: number }
  | { readonly type: 'AddStock'; readonly quantity: number }
  | { readonly type: 'ReserveStock'; readonly orderId: string; readonly quantity: number }
  | { readonly type: 'ReleaseStock'; readonly orderId: string };

export type ProductState =
  | { readonly status: 'none' }
  | {
      readonly status: 'listed';
      readonly name: string;
      readonly unitPrice: number;
      readonly onHand: number;
      /** Units reserved, by the order they are reserved for. */
      readonly reservations: Readonly<Record<string, number>>;
    };

type ListedProduct = Exclude<ProductState, { status: 'none' }>;

/** A product's units: on hand, reserved for orders, and what is left to reserve. */
export interface Stock {
  readonly onHand: number;
  readonly reserved: number;
  readonly available: number;
}

export function stockOf(product: ListedProduct): Stock {
  const reserved = Object.values(product.reservations).reduce((sum, units) => sum + units, 0);
  return { onHand: product.onHand, reserved, available: product.onHand - reserved };
}

function listed(state: ProductState): ListedProduct {
  if (state.status === 'none') throw new DomainError('ProductNotFound', 'No such product');
  return state;
}

function assertQuantity(quantity: number): void {
  if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > MAX_STOCK) {
    throw new DomainError('InvalidQuantity', `quantity must be an integer from 1 to ${MAX_STOCK}`, {
      quantity,
    });
  }
}

type CommandOf<T extends ProductCommand['type']> = Extract<ProductCommand, { type: T }>;

function add(command: CommandOf<'AddProduct'>, state: ProductState): ProductEvent[] {
  if (state.status !== 'none') {
    throw new DomainError('ProductAlreadyExists', 'A product with this id exists');
  }
  return [{ type: 'ProductAdded', data: { name: command.name, unitPrice: command.unitPrice } }];
}

function addStock(command: CommandOf<'AddStock'>, state: ProductState): ProductEvent[] {
  assertQuantity(command.quantity);
  const product = listed(state);
  if (product.onHand + command.quantity > MAX_STOCK) {
    throw new DomainError('StockLimitExceeded', `A product may not hold more than ${MAX_STOCK}`, {
      onHand: product.onHand,
      quantity: command.quantity,
    });
  }
  return [{ type: 'StockAdded', data: { quantity: command.quantity } }];
}

/** Reserving again for the same order changes nothing: a repeated command is harmless. */
function reserve(command: CommandOf<'ReserveStock'>, state: ProductState): ProductEvent[] {
  assertQuantity(command.quantity);
  const product = listed(state);
  const { orderId, quantity } = command;
  if (product.reservations[orderId] !== undefined) return [];
  const { available } = stockOf(product);
  if (available < quantity) {
    throw new DomainError('OutOfStock', `Cannot reserve ${quantity}: ${available} available`, {
      available,
      requested: quantity,
    });
  }
  return [{ type: 'StockReserved', data: { orderId, quantity } }];
}

/** Releasing what was never reserved (or is released already) changes nothing. */
function release(command: CommandOf<'ReleaseStock'>, state: ProductState): ProductEvent[] {
  const quantity = state.status === 'none' ? undefined : state.reservations[command.orderId];
  if (quantity === undefined) return [];
  return [{ type: 'StockReleased', data: { orderId: command.orderId, quantity } }];
}

function withoutReservation(
  reservations: Readonly<Record<string, number>>,
  orderId: string,
): Record<string, number> {
  return Object.fromEntries(Object.entries(reservations).filter(([id]) => id !== orderId));
}

/**
 * A product of the catalogue, added once under the id its caller chose, and its stock: units
 * on hand, reserved for orders. A reservation never takes more than is available, so the
 * product is never oversold.
 */
export const productDecider: Decider<ProductCommand, ProductState, ProductEvent> = {
  initialState: { status: 'none' },

  evolve(state, event) {
    if (event.type === 'ProductAdded') {
      return { status: 'listed', ...event.data, onHand: 0, reservations: {} };
    }
    if (state.status === 'none') return state;
    switch (event.type) {
      case 'StockAdded':
        return { ...state, onHand: state.onHand + event.data.quantity };
      case 'StockReserved':
        return {
          ...state,
          reservations: { ...state.reservations, [event.data.orderId]: event.data.quantity },
        };
      case 'StockReleased':
        return {
          ...state,
          reservations: withoutReservation(state.reservations, event.data.orderId),
        };
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'AddProduct':
        return add(command, state);
      case 'AddStock':
        return addStock(command, state);
      case 'ReserveStock':
        return reserve(command, state);
      case 'ReleaseStock':
        return release(command, state);
    }
  },
};
