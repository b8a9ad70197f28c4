import {
  CommandHandler,
  EventStore,
  repositoryFor,
  type AggregateRepository,
  type EventSourcingStorage,
} from '../eventsourcing';
import { accountDecider, type AccountCommand, type AccountState } from './decider';
import { accountEvents, type AccountEvent } from './events';

export type AccountRepository = AggregateRepository<AccountCommand, AccountState, AccountEvent>;
export type AccountCommandHandler = CommandHandler<AccountCommand, AccountState, AccountEvent>;

/** Bump when `AccountState` or `accountDecider.evolve` changes: older snapshots are ignored. */
const ACCOUNT_STATE_VERSION = 1;

/** How account streams are snapshotted, wherever they are loaded. */
export const accountSnapshots = { stateVersion: ACCOUNT_STATE_VERSION };

/** Loads accounts from their latest snapshot plus the tail of their stream. */
export function accountRepository(storage: EventSourcingStorage): AccountRepository {
  return repositoryFor(storage, accountDecider, {
    catalogue: accountEvents.catalogue,
    snapshots: accountSnapshots,
  });
}

/** The account streams without snapshots, for other contexts that read them. */
export const accountStore = (storage: EventSourcingStorage): AccountRepository['store'] =>
  new EventStore({
    client: storage.client,
    tableName: storage.eventsTable,
    catalogue: accountEvents.catalogue,
    ...(storage.personalData ? { personalData: storage.personalData } : {}),
  });

/** Who owns an account in this state; `undefined` when it was never opened. */
export const ownerOf = (state: AccountState): string | undefined =>
  state.status === 'none' ? undefined : state.ownerId;

/**
 * The owner of an account, from its first event (an account's owner never changes, so this
 * reads one item, however long the stream); `undefined` when there is no such account.
 */
export async function accountOwner(
  store: AccountRepository['store'],
  accountId: string,
): Promise<string | undefined> {
  const [opened] = await store.read(accountEvents.streamId(accountId), { toVersion: 1 });
  return opened?.type === 'AccountOpened' ? opened.data.ownerId : undefined;
}

/** Runs account commands: load, decide, append, retrying concurrency conflicts. */
export function accountCommandHandler(storage: EventSourcingStorage): AccountCommandHandler {
  return new CommandHandler(accountRepository(storage));
}
