import { seedCastoreAggregate } from '../castore';
import type { BenchEnvironment } from '../environment';
import { interleave, pairwiseRatio } from '../interleave';
import { timed } from '../load-generator';
import { frameworkStores, seedSnapshot, seedStream } from '../seed';
import type { BenchSettings } from '../settings';
import { spread, type Spread } from '../stats';

export const LOAD_SIDES = ['withoutSnapshot', 'withSnapshot', 'castore'] as const;
export type LoadSide = (typeof LOAD_SIDES)[number];

export interface LoadResult {
  readonly length: number;
  readonly repetitions: number;
  /** Milliseconds per load. */
  readonly ms: Record<LoadSide, Spread>;
  /** Speed ratios from the same repetition: how many times faster the first side loads. */
  readonly snapshotSpeedup: Spread;
  readonly versusCastore: Spread;
}

/**
 * Sections 3 and 5 (reads): one stream per length for each side, holding the same deposits;
 * repetitions load all three in an order that rotates each repetition.
 */
export async function measureLoads(
  env: BenchEnvironment,
  settings: BenchSettings,
): Promise<LoadResult[]> {
  const stores = frameworkStores(env);
  const results: LoadResult[] = [];
  for (const { length, repetitions } of settings.loads) {
    const streamId = `load-${length}`;
    await seedStream(stores.store, streamId, length);
    await seedSnapshot(stores, streamId, length - settings.snapshotTail);
    await seedCastoreAggregate(env.castore, streamId, length);

    const load: Record<LoadSide, () => Promise<unknown>> = {
      withoutSnapshot: async () => {
        const loaded = await stores.withoutSnapshots.load(streamId);
        if (loaded.version !== length) throw new Error(`loaded ${loaded.version} of ${length}`);
      },
      withSnapshot: async () => {
        const loaded = await stores.withSnapshots.load(streamId);
        if (loaded.eventsRead !== settings.snapshotTail) throw new Error('snapshot not used');
      },
      castore: async () => {
        const { aggregate } = await env.castore.getAggregate(streamId);
        if (aggregate?.version !== length) throw new Error(`Castore loaded ${aggregate?.version}`);
      },
    };
    for (const side of LOAD_SIDES) await load[side]();
    const ms = await interleave(LOAD_SIDES, repetitions, (side) => timed(load[side]));
    results.push({
      length,
      repetitions,
      ms: {
        withoutSnapshot: spread(ms.withoutSnapshot),
        withSnapshot: spread(ms.withSnapshot),
        castore: spread(ms.castore),
      },
      snapshotSpeedup: pairwiseRatio(ms.withoutSnapshot, ms.withSnapshot),
      versusCastore: pairwiseRatio(ms.castore, ms.withoutSnapshot),
    });
  }
  return results;
}
