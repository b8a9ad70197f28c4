import { CommandHandler, repositoryFor, type EventSourcingStorage } from '../eventsourcing';
import { productDecider, type ProductCommand, type ProductState } from './decider';
import { productEvents, type ProductEvent } from './events';

export type ProductCommandHandler = CommandHandler<ProductCommand, ProductState, ProductEvent>;

/** Runs product commands: load, decide, append, retrying concurrency conflicts. */
export function productCommandHandler(storage: EventSourcingStorage): ProductCommandHandler {
  // Products are short streams: loads replay them, no snapshots.
  return new CommandHandler(
    repositoryFor(storage, productDecider, { catalogue: productEvents.catalogue }),
  );
}
