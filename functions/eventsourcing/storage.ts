import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { tableNameFromEnv } from './declaration/resource-names.js';
import { AggregateRepository } from './aggregate-repository.js';
import type { Decider } from './decider.js';
import { EventStore } from './event-store.js';
import { everyNEvents, type SnapshotStrategy } from './snapshot-strategies.js';
import { SnapshotStore } from './snapshots.js';
import type { EventCatalogue } from './event-catalogue.js';
import type { NewEvent, RecordedEvent } from './types.js';
import { ConfigurationError } from './declaration/errors.js';
import { personalDataFromEnv } from './personal/environment.js';
import type { PersonalData } from './personal/personal-data.js';

/** Where a service keeps its events and snapshots. */
export interface EventSourcingStorage {
  readonly client: DynamoDBClient;
  readonly eventsTable: string;
  /** Needed only by repositories that use snapshots. */
  readonly snapshotsTable?: string;
  /**
   * Seals personal fields per data subject and opens them on reads; needed to write events
   * with personal data (a store without it refuses them).
   */
  readonly personalData?: PersonalData;
}

/**
 * The storage a function finds in its environment: `TABLE_EVENTS`, `TABLE_SNAPSHOTS` unless
 * the function was declared without the snapshots table, and subjects' data keys when it was
 * declared with `personalData`.
 */
export function storageFromEnv(
  client: DynamoDBClient,
  options: { readonly snapshots?: boolean } = {},
): EventSourcingStorage {
  const personalData = personalDataFromEnv(client);
  return {
    client,
    eventsTable: tableNameFromEnv('events'),
    ...(personalData ? { personalData } : {}),
    ...(options.snapshots === false ? {} : { snapshotsTable: tableNameFromEnv('snapshots') }),
  };
}

export interface RepositoryOptions<Event extends NewEvent> {
  /** The aggregate's event types: what its store may write, and how it reads them. */
  readonly catalogue: EventCatalogue<Event & RecordedEvent>;
  /**
   * Snapshot settings; without them every load replays the whole stream (right for short-lived
   * aggregates). `stateVersion` must be bumped when the state's shape or `evolve` changes.
   */
  readonly snapshots?: { readonly stateVersion: number; readonly strategy?: SnapshotStrategy };
}

/** Snapshots every 50 events unless told otherwise. */
const DEFAULT_SNAPSHOT_STRATEGY = everyNEvents(50);

/** A decider's repository on the service's tables: the wiring every domain needs. */
export function repositoryFor<Command, State, Event extends NewEvent>(
  storage: EventSourcingStorage,
  decider: Decider<Command, State, Event>,
  options: RepositoryOptions<Event>,
): AggregateRepository<Command, State, Event> {
  const store = new EventStore({
    client: storage.client,
    tableName: storage.eventsTable,
    catalogue: options.catalogue,
    ...(storage.personalData ? { personalData: storage.personalData } : {}),
  });
  if (options.snapshots && !storage.snapshotsTable) {
    throw new ConfigurationError('A repository with snapshots needs the snapshots table');
  }
  const snapshots = options.snapshots && {
    store: new SnapshotStore(storage.client, storage.snapshotsTable!),
    strategy: options.snapshots.strategy ?? DEFAULT_SNAPSHOT_STRATEGY,
    stateVersion: options.snapshots.stateVersion,
  };
  return new AggregateRepository(store, decider, snapshots);
}
