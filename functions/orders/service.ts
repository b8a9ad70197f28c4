import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AggregateRepository,
  CommandHandler,
  EventStore,
  SnapshotStore,
  everyNEvents,
} from '../eventsourcing';
import { orderDecider, type OrderCommand, type OrderState } from './decider';
import { orderUpcasters, type OrderEvent } from './events';

export interface OrderStorage {
  readonly client: DynamoDBClient;
  readonly eventsTable: string;
  readonly snapshotsTable: string;
}

export type OrderCommandHandler = CommandHandler<OrderCommand, OrderState, OrderEvent>;

/** Bump when `OrderState` or `orderDecider.evolve` changes: older snapshots are ignored. */
const ORDER_STATE_VERSION = 1;

/** Runs order commands: load (snapshot + tail), decide, append, retrying concurrency conflicts. */
export function orderCommandHandler(storage: OrderStorage): OrderCommandHandler {
  const store = new EventStore({
    client: storage.client,
    tableName: storage.eventsTable,
    upcasters: orderUpcasters,
  });
  const repository = new AggregateRepository(store, orderDecider, {
    store: new SnapshotStore(storage.client, storage.snapshotsTable),
    strategy: everyNEvents(50),
    stateVersion: ORDER_STATE_VERSION,
  });
  return new CommandHandler(repository);
}
