import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AggregateRepository,
  EventStore,
  MAX_EVENTS_PER_APPEND,
  SnapshotStore,
  everyNEvents,
  type EventStoreOptions,
  type SnapshotSettings,
} from '../functions/eventsourcing';
import { EVENT_METADATA, account, benchEvents, depositEvent } from './workload';

/** The version of the account state shape the benchmarks' snapshots hold. */
export const STATE_VERSION = 1;
/** Events between snapshots in the benchmarks' strategy. */
export const SNAPSHOT_INTERVAL = 10;

/** The framework wired as an application would wire it, on the given tables. */
export function frameworkStores(
  client: DynamoDBClient,
  tables: { readonly events: string; readonly snapshots: string },
  options: Pick<EventStoreOptions, 'archive'> = {},
) {
  const store = new EventStore({
    client,
    tableName: tables.events,
    catalogue: benchEvents,
    ...options,
  });
  const snapshotStore = new SnapshotStore(client, tables.snapshots);
  const snapshots: SnapshotSettings = {
    store: snapshotStore,
    // A snapshot every 10 events: a load reads the snapshot and the latest 10 events side by
    // side. The benchmarks place snapshots with `seedSnapshot`, fewer than 10 events behind
    // the head, and no benchmarked command reaches the tenth event after one.
    strategy: everyNEvents(SNAPSHOT_INTERVAL),
    stateVersion: STATE_VERSION,
  };
  return {
    store,
    snapshotStore,
    withoutSnapshots: new AggregateRepository(store, account),
    withSnapshots: new AggregateRepository(store, account, snapshots),
  };
}

/** Appends `count` deposits to a new stream, 100 per transaction. */
export async function seedStream(
  store: ReturnType<typeof frameworkStores>['store'],
  streamId: string,
  count: number,
) {
  for (let version = 0; version < count; version += MAX_EVENTS_PER_APPEND) {
    const size = Math.min(MAX_EVENTS_PER_APPEND, count - version);
    await store.append(
      streamId,
      Array.from({ length: size }, () => depositEvent(100)),
      { expectedVersion: version, metadata: EVENT_METADATA },
    );
  }
}

/** Saves the snapshot a strategy would have taken at `version`. */
export async function seedSnapshot(
  stores: ReturnType<typeof frameworkStores>,
  streamId: string,
  version: number,
): Promise<void> {
  const loaded = await stores.withoutSnapshots.load(streamId, { version });
  if (loaded.lastRecordedAt === undefined) throw new Error(`${streamId} has no version ${version}`);
  await stores.snapshotStore.save({
    streamId,
    version,
    state: loaded.state,
    stateVersion: STATE_VERSION,
    takenAt: new Date().toISOString(),
    eventRecordedAt: loaded.lastRecordedAt,
  });
}
