import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ReadModelReader } from '../../functions/eventsourcing';
import {
  RebuildInterruptedError,
  rebuildProjection,
  rebuildStatus,
  removeRetiredGenerations,
  type RebuildProgress,
} from '../../functions/eventsourcing/operator';
import { waitFor } from '../../local/wait-for';
import {
  balanceProjection,
  expectedBalances,
  randomHistories,
  seededRandom,
} from '../support/balance-projection';
import { createGlobalLogFixture, waitUntilIndexed } from '../support/global-log';
import { appendHistories, balanceHandler, generationItems } from '../support/projection-fixture';
import { runnerFixturePerTest } from '../support/stream-runner-fixture';

const newFixture = runnerFixturePerTest();

async function setUp(name: string) {
  const fixture = await newFixture();
  const { client, projectionTables } = fixture.tables;
  const handler = balanceHandler(fixture.tables, { name });
  const items = (generation: number) =>
    generationItems(client, projectionTables.readModel, name, generation);
  // The global log the rebuild replays, kept by its own consumer of the events stream.
  const log = await createGlobalLogFixture(fixture.tables);
  fixture.runner(log.indexer(), { consumer: 'globalLogIndexer', settings: { batchSize: 1000 } });
  const indexed = (count: number) => waitUntilIndexed(log.reader(), count);
  return { fixture, store: fixture.store, handler, items, reader: log.reader(), indexed };
}

describe('projection rebuild', () => {
  it('rebuilds 10,000 random events into a new generation that equals the live read model', async () => {
    const { fixture, store, handler, items, reader: log, indexed } = await setUp('balances');
    const { client, projectionTables } = fixture.tables;
    // The same projection under another name, never rebuilt: the live read model to compare with.
    const control = balanceHandler(fixture.tables, { name: 'control' });
    fixture.runner(handler, { settings: { batchSize: 1000 } });
    fixture.runner(control, { consumer: 'control', settings: { batchSize: 1000 } });
    const random = seededRandom(20_260_101);
    const histories = randomHistories(random, { streams: 200, events: 10_000, prefix: 'acc' });
    const early = await appendHistories(store, histories.slice(0, 150), random);
    const reader = new ReadModelReader(balanceProjection({ name: 'balances' }), {
      client,
      tableName: projectionTables.readModel,
      generationCacheMs: 0,
    });
    const firstAccount = { pk: `account#${early[0]!.streamId}`, sk: 'summary' };
    await waitFor(() => reader.get(firstAccount), {
      timeoutMs: 30_000,
      description: 'the live read model',
    });
    await indexed(early.length);

    const progress: RebuildProgress[] = [];
    const servedDuringRebuild: unknown[] = [];
    let rebuilding = true;
    const queries = (async () => {
      while (rebuilding) servedDuringRebuild.push(await reader.get(firstAccount));
    })();
    // Events keep arriving while the rebuild scans, and queries keep being answered.
    const [late, result] = await Promise.all([
      appendHistories(store, histories.slice(150), random),
      rebuildProjection(handler.runtime(), log, {
        // Removed below, once no batch that began before the switch can still be running.
        keepRetired: true,
        // Longer than any batch that began before the rebuild, and than the indexer's lag.
        settleMs: 3000,
        progressIntervalMs: 50,
        onProgress: (p) => progress.push(p),
      }).finally(() => (rebuilding = false)),
    ]);
    await queries;
    const events = [...early, ...late];
    expect(events).toHaveLength(10_000);
    expect(result).toMatchObject({ generation: 2, replaced: 1, parkedStreams: [] });
    expect(servedDuringRebuild.length).toBeGreaterThan(0);
    expect(servedDuringRebuild.every((item) => item !== undefined)).toBe(true);

    const expected = Object.fromEntries(expectedBalances(events));
    const live = () => generationItems(client, projectionTables.readModel, 'control', 1);
    await waitFor(
      async () => {
        const [rebuilt, control] = await Promise.all([items(2), live()]);
        const caughtUp =
          isDeepStrictEqual(Object.fromEntries(rebuilt), expected) &&
          isDeepStrictEqual(Object.fromEntries(control), expected);
        return caughtUp ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: 'both read models to equal the events' },
    );
    expect(Object.fromEntries(await items(2))).toEqual(Object.fromEntries(await live()));
    expect((await items(1)).size).toBeGreaterThan(0);
    await removeRetiredGenerations(handler.runtime());
    expect((await items(1)).size).toBe(0);
    expect((await handler.runtime().generations()).retired).toEqual([]);
    expect(await reader.activeGeneration()).toBe(2);
    expect(progress.at(-1)).toMatchObject({ phase: 'done', generation: 2 });
    expect(progress.at(-1)!.done).toBeGreaterThanOrEqual(early.length);
    expect(progress.some((p) => p.phase === 'replaying' && p.total >= early.length)).toBe(true);
    // Well under a minute on a quiet machine; the margin is for a busy CI.
  }, 180_000);

  it('resumes an interrupted rebuild and removes the replaced generation after switching', async () => {
    const { fixture, store, handler, items, reader: log, indexed } = await setUp('resumed');
    const random = seededRandom(7);
    const events = await appendHistories(
      store,
      randomHistories(random, { streams: 20, events: 600, prefix: 'res' }),
      random,
    );
    fixture.runner(handler);
    const expected = expectedBalances(events);
    await waitFor(async () => ((await items(1)).size === expected.size ? true : undefined), {
      timeoutMs: 30_000,
      description: 'the live read model',
    });
    await indexed(events.length);

    const stop = new AbortController();
    const interrupted = rebuildProjection(handler.runtime(), log, {
      batchSize: 50,
      settleMs: 0,
      progressIntervalMs: 10,
      onProgress: (p) => {
        if (p.done > 0) stop.abort();
      },
      signal: stop.signal,
    });
    await expect(interrupted).rejects.toBeInstanceOf(RebuildInterruptedError);
    expect((await handler.runtime().generations()).building).toBe(2);
    const saved = (await rebuildStatus(handler.runtime()))!;
    expect(saved).toMatchObject({ generation: 2, total: events.length });
    expect(saved.position).toBeGreaterThan(0);
    expect(saved.done).toBe(saved.position);

    const result = await rebuildProjection(handler.runtime(), log, {
      batchSize: 50,
      settleMs: 0,
      retireAfterMs: 0,
    });
    expect(result).toMatchObject({ generation: 2, replaced: 1 });
    expect(Object.fromEntries(await items(2))).toEqual(Object.fromEntries(expected));
    expect((await items(1)).size).toBe(0);
    expect(await handler.runtime().generations()).toMatchObject({ active: 2, retired: [] });
  });
});
