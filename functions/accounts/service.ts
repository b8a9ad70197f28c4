import {
  CommandHandler,
  repositoryFor,
  type AggregateRepository,
  type EventSourcingStorage,
} from '../eventsourcing';
import { accountDecider, type AccountCommand, type AccountState } from './decider';
import { accountUpcasters, type AccountEvent } from './events';

export type AccountRepository = AggregateRepository<AccountCommand, AccountState, AccountEvent>;
export type AccountCommandHandler = CommandHandler<AccountCommand, AccountState, AccountEvent>;

/** Bump when `AccountState` or `accountDecider.evolve` changes: older snapshots are ignored. */
const ACCOUNT_STATE_VERSION = 1;

/** Loads accounts from their latest snapshot plus the tail of their stream. */
export function accountRepository(storage: EventSourcingStorage): AccountRepository {
  return repositoryFor(storage, accountDecider, {
    upcasters: accountUpcasters,
    snapshots: { stateVersion: ACCOUNT_STATE_VERSION },
  });
}

/** Runs account commands: load, decide, append, retrying concurrency conflicts. */
export function accountCommandHandler(storage: EventSourcingStorage): AccountCommandHandler {
  return new CommandHandler(accountRepository(storage));
}
