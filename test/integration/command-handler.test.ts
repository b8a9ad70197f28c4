import fc from 'fast-check';
import * as z from 'zod';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AggregateRepository,
  CommandHandler,
  ConcurrencyError,
  DomainError,
  EventStore,
  CorruptEventError,
  EventCatalogue,
  SnapshotStore,
  WriteConditionFailedError,
  type ConditionalPut,
  everyNEvents,
  type RecordedEvent,
  type SnapshotSettings,
} from '../../functions/eventsourcing';
import { counter, type CounterCommand } from '../support/counter';
import { markers, putStoredEvent } from '../support/stored-items';
import { counterEventSchemas, counterEvents } from '../support/test-events';
import { createTestTables, type TestTables } from '../support/dynamodb';
import { countRequests } from '../../bench/request-counter';

let tables: TestTables;
let streamCounter = 0;
const newStreamId = () => `counter-${Date.now()}-${++streamCounter}`;

const storeWith = <Event extends RecordedEvent>(
  catalogue: EventCatalogue<Event>,
  clock?: () => Date,
) =>
  new EventStore({
    client: tables.client,
    tableName: tables.names.events,
    catalogue,
    ...(clock ? { clock } : {}),
  });

const newStore = (clock?: () => Date) => storeWith(counterEvents, clock);

const snapshotSettings = (every: number, stateVersion = 1): SnapshotSettings => ({
  store: new SnapshotStore(tables.client, tables.names.snapshots),
  strategy: everyNEvents(every),
  stateVersion,
});

beforeAll(async () => {
  tables = await createTestTables();
});

describe('command handler', () => {
  it('runs 50 concurrent commands on one stream without losing an update', async () => {
    const streamId = newStreamId();
    // One handler per "Lambda container", each with its own store. Every lost race means some
    // other writer's append succeeded at the version this one targeted, and each retry targets a
    // later version: among 50 writers nobody loses more than 49 times, so a budget of 50
    // attempts makes the outcome independent of timing.
    const budget = { maxAttempts: 50, baseDelayMs: 5, maxDelayMs: 500 };
    const handlers = Array.from(
      { length: 50 },
      () => new CommandHandler(new AggregateRepository(newStore(), counter), budget),
    );
    const results = await Promise.all(
      handlers.map((handler) => handler.handle(streamId, { type: 'increment', by: 1 })),
    );
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    const loaded = await new AggregateRepository(newStore(), counter).load(streamId);
    expect(loaded.state).toEqual({ value: 50, operations: 50 });
    expect(loaded.version).toBe(50);
    // 50 writers racing: up to 1,275 loads and appends, slow on a loaded machine.
  }, 180_000);

  it('does not retry when the caller pinned the expected version', async () => {
    const streamId = newStreamId();
    const handler = new CommandHandler(new AggregateRepository(newStore(), counter));
    await handler.handle(streamId, { type: 'increment', by: 2 });
    await handler.handle(streamId, { type: 'increment', by: 2 });
    const error = await handler
      .handle(streamId, { type: 'increment', by: 1 }, { expectedVersion: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ expectedVersion: 1, actualVersion: 2 });
    const ok = await handler.handle(streamId, { type: 'increment', by: 1 }, { expectedVersion: 2 });
    expect(ok).toMatchObject({ version: 3, state: { value: 5 } });
  });

  it('passes domain errors through unchanged and writes nothing', async () => {
    const streamId = newStreamId();
    const store = newStore();
    const handler = new CommandHandler(new AggregateRepository(store, counter));
    await handler.handle(streamId, { type: 'increment', by: 1 });
    const error = await handler
      .handle(streamId, { type: 'decrement', by: 5 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'BelowZero' });
    expect((await store.read(streamId)).length).toBe(1);
  });

  it('appends nothing when the decider decides nothing', async () => {
    const streamId = newStreamId();
    const handler = new CommandHandler(new AggregateRepository(newStore(), counter));
    const result = await handler.handle(streamId, { type: 'reset' });
    expect(result).toMatchObject({ version: 0, events: [] });
  });

  it('records metadata and keeps recordedAt ordered when clocks go backwards', async () => {
    const streamId = newStreamId();
    const fast = newStore(() => new Date('2030-01-01T00:00:00.000Z'));
    const slow = newStore(() => new Date('2020-01-01T00:00:00.000Z'));
    await new CommandHandler(new AggregateRepository(fast, counter)).handle(streamId, {
      type: 'increment',
      by: 1,
    });
    const result = await new CommandHandler(new AggregateRepository(slow, counter)).handle(
      streamId,
      { type: 'increment', by: 1 },
      { metadata: { commandId: 'cmd-1', actor: 'tester' } },
    );
    expect(result.events[0]).toMatchObject({
      recordedAt: '2030-01-01T00:00:00.000Z',
      metadata: { commandId: 'cmd-1', actor: 'tester' },
    });
  });
});

describe('command handler hooks', () => {
  const marker = () => markers(tables.client, tables.names.snapshots).next();
  const exists = (put: ConditionalPut) =>
    markers(tables.client, tables.names.snapshots).exists(put);

  it('stops at the guard, after loading and before deciding, with nothing written', async () => {
    const streamId = newStreamId();
    const store = newStore();
    const handler = new CommandHandler(new AggregateRepository(store, counter));
    await handler.handle(streamId, { type: 'increment', by: 3 });
    const seen: number[] = [];
    const error = await handler
      .handle(
        streamId,
        { type: 'increment', by: 1 },
        {
          guard: (loaded) => {
            seen.push(loaded.state.value);
            throw new DomainError('NotYours', 'not yours');
          },
        },
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NotYours' });
    expect(seen).toEqual([3]);
    expect((await store.read(streamId)).length).toBe(1);
  });

  it('commits the writes built from the decision in the transaction of its events', async () => {
    const streamId = newStreamId();
    const store = newStore();
    const handler = new CommandHandler(new AggregateRepository(store, counter));
    await handler.handle(streamId, { type: 'increment', by: 3 });
    const put = marker();
    const decisions: unknown[] = [];
    const result = await handler.handle(
      streamId,
      { type: 'increment', by: 2 },
      {
        commitWith: (decision) => {
          decisions.push({ version: decision.version, value: decision.state.value });
          return [put];
        },
      },
    );
    expect(decisions).toEqual([{ version: 2, value: 5 }]);
    expect(result).toMatchObject({ version: 2, state: { value: 5 } });
    expect(await exists(put)).toBe(true);

    // The same write again: its condition fails, so the events are not written either.
    await expect(
      handler.handle(streamId, { type: 'increment', by: 1 }, { commitWith: () => [put] }),
    ).rejects.toBeInstanceOf(WriteConditionFailedError);
    expect((await store.read(streamId)).length).toBe(2);
  });

  it('commits the writes of a command that decides nothing only while the stream stays put', async () => {
    const streamId = newStreamId();
    const handler = new CommandHandler(new AggregateRepository(newStore(), counter));
    const put = marker();
    const result = await handler.handle(streamId, { type: 'reset' }, { commitWith: () => [put] });
    expect(result).toMatchObject({ version: 0, events: [] });
    expect(await exists(put)).toBe(true);
  });

  it('asks before each retry whether to go on', async () => {
    const streamId = newStreamId();
    const store = newStore();
    await store.append(streamId, [{ type: 'Incremented', data: { by: 1 } }], {
      expectedVersion: 'no_stream',
    });
    // Every attempt loses its version to a writer that appends right after the load.
    const rival = newStore();
    const handler = new CommandHandler(new AggregateRepository(store, counter), {
      maxAttempts: 10,
      baseDelayMs: 1,
      maxDelayMs: 2,
    });
    let retries = 0;
    const error = await handler
      .handle(
        streamId,
        { type: 'increment', by: 1 },
        {
          guard: async () => {
            await rival.append(streamId, [{ type: 'Incremented', data: { by: 1 } }], {
              expectedVersion: 'any',
            });
          },
          beforeRetry: () => {
            retries += 1;
            return retries === 3 ? Promise.reject(new Error('stop')) : Promise.resolve();
          },
        },
      )
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe('stop');
    expect(retries).toBe(3);
  });

  it('refuses to decide on a stream holding a corrupt event, and writes nothing', async () => {
    const streamId = newStreamId();
    const store = newStore();
    const handler = new CommandHandler(new AggregateRepository(store, counter));
    await handler.handle(streamId, { type: 'increment', by: 3 });
    await putStoredEvent(tables.client, tables.names.events, {
      streamId,
      version: 2,
      type: 'Incremented',
      data: { by: 'not-a-number' },
    });
    const error = await handler
      .handle(streamId, { type: 'decrement', by: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptEventError);
    expect(error).toMatchObject({ streamId, version: 2, field: 'data.by' });
    const raw = new EventStore({ client: tables.client, tableName: tables.names.events });
    expect((await raw.read(streamId)).map((e) => e.version)).toEqual([1, 2]);
  });
});

describe('snapshots', () => {
  const commandArbitrary: fc.Arbitrary<CounterCommand> = fc.oneof(
    fc.record({ type: fc.constant('increment' as const), by: fc.integer({ min: 1, max: 100 }) }),
    fc.record({ type: fc.constant('decrement' as const), by: fc.integer({ min: 1, max: 30 }) }),
    fc.constant({ type: 'reset' as const }),
  );

  it('loads the same state with snapshots as by full replay, for random histories', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(commandArbitrary, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 7 }),
        async (commands, every) => {
          const streamId = newStreamId();
          const withSnapshots = new AggregateRepository(
            newStore(),
            counter,
            snapshotSettings(every),
          );
          const handler = new CommandHandler(withSnapshots);
          for (const command of commands) {
            await handler.handle(streamId, command).catch((error: unknown) => {
              if (!(error instanceof DomainError)) throw error;
            });
          }
          const fromSnapshot = await withSnapshots.load(streamId);
          const replayed = await new AggregateRepository(newStore(), counter).load(streamId);
          expect(fromSnapshot.state).toEqual(replayed.state);
          expect(fromSnapshot.version).toBe(replayed.version);
          if (replayed.version >= every) {
            expect(fromSnapshot.snapshot).toBeDefined();
            expect(fromSnapshot.eventsRead).toBeLessThan(every);
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('loads from a snapshot plus the tail only', async () => {
    const streamId = newStreamId();
    const repository = new AggregateRepository(newStore(), counter, snapshotSettings(10));
    const handler = new CommandHandler(repository);
    for (let i = 0; i < 23; i++) await handler.handle(streamId, { type: 'increment', by: 1 });
    const counted = countRequests(tables.client);
    const loaded = await repository.load(streamId);
    counted.stop();
    expect(loaded).toMatchObject({ version: 23, eventsRead: 3, state: { value: 23 } });
    expect(loaded.snapshot?.version).toBe(20);
    expect(counted.commands).toEqual(['GetItemCommand', 'QueryCommand']);
  });

  it('ignores a snapshot of another stateVersion', async () => {
    const streamId = newStreamId();
    const oldShape = new AggregateRepository(newStore(), counter, snapshotSettings(1, 1));
    const handler = new CommandHandler(oldShape);
    for (let i = 0; i < 3; i++) await handler.handle(streamId, { type: 'increment', by: 2 });
    // A snapshot of state version 1 whose contents the new reducer must not trust.
    await new SnapshotStore(tables.client, tables.names.snapshots).save({
      streamId,
      version: 3,
      state: { value: 999, operations: 999 },
      stateVersion: 1,
      takenAt: new Date().toISOString(),
      eventRecordedAt: new Date().toISOString(),
    });
    const newShape = new AggregateRepository(newStore(), counter, snapshotSettings(1, 2));
    const loaded = await newShape.load(streamId);
    expect(loaded.snapshot).toBeUndefined();
    expect(loaded.state).toEqual({ value: 6, operations: 3 });
    // The next command replaces the stale snapshot even though its version is not newer.
    await new CommandHandler(newShape).handle(streamId, { type: 'increment', by: 1 });
    expect((await newShape.load(streamId)).snapshot).toMatchObject({ stateVersion: 2, version: 4 });
  });

  it('writes snapshots forward only', async () => {
    const snapshots = new SnapshotStore(tables.client, tables.names.snapshots);
    const streamId = newStreamId();
    const snapshot = (version: number) => ({
      streamId,
      version,
      state: { version },
      stateVersion: 1,
      takenAt: new Date().toISOString(),
      eventRecordedAt: new Date().toISOString(),
    });
    expect(await snapshots.save(snapshot(5))).toBe(true);
    expect(await snapshots.save(snapshot(3))).toBe(false);
    expect(await snapshots.save(snapshot(5))).toBe(false);
    expect((await snapshots.get(streamId))?.version).toBe(5);
    expect(await snapshots.save(snapshot(6))).toBe(true);
  });

  it('never fails a command because the snapshot write failed', async () => {
    const streamId = newStreamId();
    const warn = vi.fn();
    const broken: SnapshotSettings = {
      store: new SnapshotStore(tables.client, 'no-such-table'),
      strategy: everyNEvents(1),
      stateVersion: 1,
    };
    const handler = new CommandHandler(
      new AggregateRepository(newStore(), counter, broken, { warn }),
    );
    const result = await handler.handle(streamId, { type: 'increment', by: 4 });
    expect(result).toMatchObject({ version: 1, state: { value: 4 } });
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('Snapshot write failed'),
      expect.objectContaining({ streamId }),
    );
  });
});

describe('upcasting on load', () => {
  it('applies an upcaster chain v1 → v3 to events older releases stored', async () => {
    const streamId = newStreamId();
    // Incremented v1 had `amount`, v2 `step` as a string, v3 (current) `by`.
    const toV2 = (data: Record<string, unknown>) => ({ step: String(data.amount) });
    const toV3 = (data: Record<string, unknown>) => ({ by: Number(data.step) });
    const release1 = EventCatalogue.of({ Incremented: z.object({ amount: z.int() }) });
    const release2 = EventCatalogue.of(
      { Incremented: z.object({ step: z.string() }) },
      { Incremented: { 1: toV2 } },
    );
    const current = EventCatalogue.of(counterEventSchemas, { Incremented: { 1: toV2, 2: toV3 } });
    await storeWith(release1).append(streamId, [{ type: 'Incremented', data: { amount: 4 } }], {
      expectedVersion: 'no_stream',
    });
    await storeWith(release2).append(streamId, [{ type: 'Incremented', data: { step: '3' } }], {
      expectedVersion: 1,
    });
    const store = storeWith(current);
    await store.append(streamId, [{ type: 'Incremented', data: { by: 1 } }], {
      expectedVersion: 2,
    });
    const events = await store.read(streamId);
    expect(events.map((e) => [e.schemaVersion, e.data])).toEqual([
      [3, { by: 4 }],
      [3, { by: 3 }],
      [3, { by: 1 }],
    ]);
    const loaded = await new AggregateRepository(store, counter).load(streamId);
    expect(loaded.state.value).toBe(8);
    // Only the current schema version is ever written.
    await expect(
      store.append(streamId, [{ type: 'Incremented', schemaVersion: 2, data: { step: '1' } }], {
        expectedVersion: 3,
      }),
    ).rejects.toMatchObject({ code: 'InvalidEvent', field: 'events[0].schemaVersion' });
  });
});

describe('temporal loads', () => {
  it('rebuilds the state as of a version and as of a time, past snapshots ignored', async () => {
    const streamId = newStreamId();
    let now = Date.parse('2026-01-01T00:00:00.000Z');
    const store = newStore(() => new Date(now));
    const repository = new AggregateRepository(store, counter, snapshotSettings(2));
    const handler = new CommandHandler(repository);
    for (let day = 1; day <= 6; day++) {
      now = Date.parse(`2026-01-0${day}T12:00:00.000Z`);
      await handler.handle(streamId, { type: 'increment', by: day });
    }
    expect((await repository.load(streamId)).snapshot?.version).toBe(6);

    const atVersion3 = await repository.load(streamId, { version: 3 });
    expect(atVersion3).toMatchObject({ version: 3, state: { value: 6 } });
    expect(atVersion3.snapshot).toBeUndefined();

    const atTime = await repository.load(streamId, { at: new Date('2026-01-04T00:00:00.000Z') });
    expect(atTime).toMatchObject({ version: 3, state: { value: 6 } });

    const beforeAll = await repository.load(streamId, { at: new Date('2025-12-31T00:00:00Z') });
    expect(beforeAll).toMatchObject({ version: 0, state: counter.initialState });

    const afterAll = await repository.load(streamId, { at: new Date('2027-01-01T00:00:00Z') });
    expect(afterAll).toMatchObject({ version: 6, state: { value: 21 } });
    expect(afterAll.snapshot?.version).toBe(6);
  });
});
