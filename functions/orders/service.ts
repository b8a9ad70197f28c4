import { CommandHandler, repositoryFor, type EventSourcingStorage } from '../eventsourcing';
import { orderDecider, type OrderCommand, type OrderState } from './decider';
import { orderEvents, type OrderEvent } from './events';

export type OrderCommandHandler = CommandHandler<OrderCommand, OrderState, OrderEvent>;

/** Bump when `OrderState` or `orderDecider.evolve` changes: older snapshots are ignored. */
const ORDER_STATE_VERSION = 2;

/** How order streams are snapshotted, wherever they are loaded. */
export const orderSnapshots = { stateVersion: ORDER_STATE_VERSION };

/** Runs order commands: load (snapshot + tail), decide, append, retrying concurrency conflicts. */
export function orderCommandHandler(storage: EventSourcingStorage): OrderCommandHandler {
  return new CommandHandler(
    repositoryFor(storage, orderDecider, {
      catalogue: orderEvents.catalogue,
      snapshots: orderSnapshots,
    }),
  );
}
