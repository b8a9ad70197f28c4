import { DomainError, type Decider } from '../eventsourcing';
import type { ProductEvent } from './events';

export const MAX_UNIT_PRICE = 1_000_000_000;

export type ProductCommand = {
  readonly type: 'AddProduct';
  readonly name: string;
  readonly unitPrice: number;
};

export type ProductState =
  | { readonly status: 'none' }
  | { readonly status: 'listed'; readonly name: string; readonly unitPrice: number };

function add(command: ProductCommand, state: ProductState): ProductEvent[] {
  if (state.status !== 'none') {
    throw new DomainError('ProductAlreadyExists', 'A product with this id exists');
  }
  return [{ type: 'ProductAdded', data: { name: command.name, unitPrice: command.unitPrice } }];
}

/** A product of the catalogue: added once under the id its caller chose. */
export const productDecider: Decider<ProductCommand, ProductState, ProductEvent> = {
  initialState: { status: 'none' },
  evolve: (_state, event) => ({ status: 'listed', ...event.data }),
  decide(command, state) {
    switch (command.type) {
      case 'AddProduct':
        return add(command, state);
    }
  },
};
