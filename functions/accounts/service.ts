import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AggregateRepository,
  CommandHandler,
  EventStore,
  SnapshotStore,
  everyNEvents,
} from '../eventsourcing';
import { accountDecider, type AccountCommand, type AccountState } from './decider';
import { accountUpcasters, type AccountEvent } from './events';

export interface AccountStorage {
  readonly client: DynamoDBClient;
  readonly eventsTable: string;
  readonly snapshotsTable: string;
}

export type AccountRepository = AggregateRepository<AccountCommand, AccountState, AccountEvent>;
export type AccountCommandHandler = CommandHandler<AccountCommand, AccountState, AccountEvent>;

/** Bump when `AccountState` or `accountDecider.evolve` changes: older snapshots are ignored. */
const ACCOUNT_STATE_VERSION = 1;

/** Loads accounts from their latest snapshot plus the tail of their stream. */
export function accountRepository(storage: AccountStorage): AccountRepository {
  const store = new EventStore({
    client: storage.client,
    tableName: storage.eventsTable,
    upcasters: accountUpcasters,
  });
  return new AggregateRepository(store, accountDecider, {
    store: new SnapshotStore(storage.client, storage.snapshotsTable),
    strategy: everyNEvents(50),
    stateVersion: ACCOUNT_STATE_VERSION,
  });
}

/** Runs account commands: load, decide, append, retrying concurrency conflicts. */
export function accountCommandHandler(storage: AccountStorage): AccountCommandHandler {
  return new CommandHandler(accountRepository(storage));
}
