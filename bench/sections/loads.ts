import { QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { seedCastoreAggregate } from '../castore';
import type { BenchEnvironment } from '../environment';
import { interleave, pairwiseRatio } from '../interleave';
import { timed } from '../load-generator';
import { frameworkStores, seedSnapshot, seedStream } from '../seed';
import type { BenchSettings } from '../settings';
import { spread, type Spread } from '../stats';

export const LOAD_SIDES = ['rawQuery', 'withoutSnapshot', 'withSnapshot', 'castore'] as const;
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
}

/**
 * Sections 3 and 5 (reads): one stream per length for the framework and one for Castore,
 * holding the same deposits; each repetition runs every side once, in an order that rotates.
 */
export async function measureLoads(
  env: BenchEnvironment,
  settings: BenchSettings,
): Promise<LoadResult[]> {
  // Tables of their own, so that neither side reads a table the other sections have filled.
  const { tables, castore } = env.loadTables;
  const stores = frameworkStores(env.client, tables);
  const results: LoadResult[] = [];
  for (const { length, repetitions } of settings.loads) {
    const streamId = `load-${length}`;
    await seedStream(stores.store, streamId, length);
    await seedSnapshot(stores, streamId, length - settings.snapshotTail);
    await seedCastoreAggregate(castore, streamId, length);

    const load: Record<LoadSide, () => Promise<unknown>> = {
      // The least a load can do: page through the stream with a consistent Query, nothing else.
      rawQuery: async () => {
        let exclusiveStartKey: Record<string, AttributeValue> | undefined;
        let count = 0;
        do {
          const page = await env.client.send(
            new QueryCommand({
              TableName: tables.events,
              KeyConditionExpression: 'streamId = :s',
              ExpressionAttributeValues: { ':s': { S: streamId } },
              ConsistentRead: true,
              ExclusiveStartKey: exclusiveStartKey,
            }),
          );
          count += page.Count ?? 0;
          exclusiveStartKey = page.LastEvaluatedKey;
        } while (exclusiveStartKey);
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
        castore: spread(ms.castore),
      },
      snapshotSpeedup: pairwiseRatio(ms.withoutSnapshot, ms.withSnapshot),
      versusCastore: pairwiseRatio(ms.castore, ms.withoutSnapshot),
      versusRawQuery: pairwiseRatio(ms.rawQuery, ms.withoutSnapshot),
    });
  }
  return results;
}
