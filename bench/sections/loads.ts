import { QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { EVENT_TABLE_PK } from '@castore/event-storage-adapter-dynamodb';
import { seedCastoreAggregate } from '../castore';
import type { BenchEnvironment } from '../environment';
import { interleave, pairwiseRatio } from '../interleave';
import { timed } from '../load-generator';
import { frameworkStores, seedSnapshot, seedStream } from '../seed';
import type { BenchSettings } from '../settings';
import { account, type AccountState } from '../workload';
import { spread, type Spread } from '../stats';

export const LOAD_SIDES = [
  'rawQuery',
  'withoutSnapshot',
  'withSnapshot',
  'sequentialSnapshot',
  'rawTailQuery',
  'castoreRawQuery',
  'castore',
] as const;
export type LoadSide = (typeof LOAD_SIDES)[number];

export interface LoadResult {
  readonly length: number;
  readonly repetitions: number;
  /** Milliseconds per load. */
  readonly ms: Record<LoadSide, Spread>;
  /** Speed ratios from the same repetition: how many times faster the first side loads. */
  readonly snapshotSpeedup: Spread;
  readonly versusCastore: Spread;
  /** Raw Query time over the framework's load time: how close reads come to DynamoDB's limit. */
  readonly versusRawQuery: Spread;
  /** The same for Castore, on its own table. */
  readonly castoreVersusRawQuery: Spread;
  /** Raw Query speed on the framework's items over on Castore's: what the item size costs. */
  readonly rawQueryVersusCastore: Spread;
  /** Load time with a snapshot over a raw Query of the same tail alone (target at most 1.2). */
  readonly snapshotVersusRawTail: Spread;
  /** How many times faster the one-round-trip load is than snapshot, then tail, in sequence. */
  readonly oneRoundTripSpeedup: Spread;
}

/**
 * The least a load can do: page through a stream (from version `from`) with a consistent Query,
 * nothing else.
 */
async function rawQuery(
  env: BenchEnvironment,
  tableName: string,
  key: Record<string, AttributeValue>,
  from?: number,
): Promise<number> {
  const [[name, value]] = Object.entries(key) as [[string, AttributeValue]];
  let exclusiveStartKey: Record<string, AttributeValue> | undefined;
  let count = 0;
  do {
    const page = await env.client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: from === undefined ? '#k = :k' : '#k = :k AND version > :v',
        ExpressionAttributeNames: { '#k': name },
        ExpressionAttributeValues: {
          ':k': value,
          ...(from === undefined ? {} : { ':v': { N: String(from) } }),
        },
        ConsistentRead: true,
        ExclusiveStartKey: exclusiveStartKey,
      }),
    );
    count += page.Count ?? 0;
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
  return count;
}

const loadStreamId = (length: number) => `load-${length}`;

/**
 * A load with a snapshot as two round trips in a row (the snapshot's GetItem, then a Query of
 * the events after it), the way loads went before the two were read side by side.
 */
export async function sequentialLoad(
  stores: ReturnType<typeof frameworkStores>,
  streamId: string,
): Promise<number> {
  const snapshot = await stores.snapshotStore.get<AccountState>(streamId);
  let state = snapshot?.state ?? account.initialState;
  let version = snapshot?.version ?? 0;
  for await (const event of stores.store.iterate(streamId, { fromVersion: version + 1 })) {
    state = account.evolve(state, event);
    version = event.version;
  }
  return state.deposits === version ? version : -1;
}

/**
 * Writes the streams the load benchmarks read: one per length for the framework (with its
 * snapshot) and one for Castore, holding the same deposits, in tables of their own.
 */
export async function seedLoads(env: BenchEnvironment, settings: BenchSettings): Promise<void> {
  const stores = frameworkStores(env.client, env.loadTables.tables);
  for (const { length } of settings.loads) {
    await seedStream(stores.store, loadStreamId(length), length);
    await seedSnapshot(stores, loadStreamId(length), length - settings.snapshotTail);
    await seedCastoreAggregate(env.loadTables.castore, loadStreamId(length), length);
  }
}

/**
 * Sections 3 and 5 (reads), on the streams `seedLoads` wrote: each repetition runs every side
 * once, in an order that rotates.
 */
export async function measureLoads(
  env: BenchEnvironment,
  settings: BenchSettings,
): Promise<LoadResult[]> {
  const { tables, castore } = env.loadTables;
  const stores = frameworkStores(env.client, tables);
  const results: LoadResult[] = [];
  for (const { length, repetitions } of settings.loads) {
    const streamId = loadStreamId(length);

    const load: Record<LoadSide, () => Promise<unknown>> = {
      rawQuery: async () => {
        // Its events: versions above 0 (the stream's head and archive mark sit at 0 and -1).
        const count = await rawQuery(env, tables.events, { streamId: { S: streamId } }, 0);
        if (count !== length) throw new Error(`raw Query read ${count} of ${length}`);
      },
      withoutSnapshot: async () => {
        const loaded = await stores.withoutSnapshots.load(streamId);
        if (loaded.version !== length) throw new Error(`loaded ${loaded.version} of ${length}`);
      },
      withSnapshot: async () => {
        const loaded = await stores.withSnapshots.load(streamId);
        if (loaded.eventsRead !== settings.snapshotTail) throw new Error('snapshot not used');
      },
      sequentialSnapshot: async () => {
        const version = await sequentialLoad(stores, streamId);
        if (version !== length) throw new Error(`loaded ${version} of ${length}`);
      },
      rawTailQuery: async () => {
        const from = length - settings.snapshotTail;
        const count = await rawQuery(env, tables.events, { streamId: { S: streamId } }, from);
        if (count !== settings.snapshotTail) throw new Error(`raw tail Query read ${count}`);
      },
      castoreRawQuery: async () => {
        const count = await rawQuery(env, env.loadTables.castoreTable, {
          [EVENT_TABLE_PK]: { S: `${castore.eventStoreId}#${streamId}` },
        });
        if (count !== length) throw new Error(`raw Query of Castore read ${count} of ${length}`);
      },
      castore: async () => {
        const { aggregate } = await castore.getAggregate(streamId);
        if (aggregate?.version !== length) throw new Error(`Castore loaded ${aggregate?.version}`);
      },
    };
    for (const side of LOAD_SIDES) await load[side]();
    const ms = await interleave(LOAD_SIDES, repetitions, (side) => timed(load[side]));
    results.push({
      length,
      repetitions,
      ms: {
        rawQuery: spread(ms.rawQuery),
        withoutSnapshot: spread(ms.withoutSnapshot),
        withSnapshot: spread(ms.withSnapshot),
        sequentialSnapshot: spread(ms.sequentialSnapshot),
        rawTailQuery: spread(ms.rawTailQuery),
        castoreRawQuery: spread(ms.castoreRawQuery),
        castore: spread(ms.castore),
      },
      snapshotSpeedup: pairwiseRatio(ms.withoutSnapshot, ms.withSnapshot),
      versusCastore: pairwiseRatio(ms.castore, ms.withoutSnapshot),
      versusRawQuery: pairwiseRatio(ms.rawQuery, ms.withoutSnapshot),
      castoreVersusRawQuery: pairwiseRatio(ms.castoreRawQuery, ms.castore),
      rawQueryVersusCastore: pairwiseRatio(ms.castoreRawQuery, ms.rawQuery),
      snapshotVersusRawTail: pairwiseRatio(ms.withSnapshot, ms.rawTailQuery),
      oneRoundTripSpeedup: pairwiseRatio(ms.sequentialSnapshot, ms.withSnapshot),
    });
  }
  return results;
}
