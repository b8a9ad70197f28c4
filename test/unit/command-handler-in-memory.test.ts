import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import {
  AggregateRepository,
  CommandHandler,
  ConcurrencyError,
  DomainError,
  EventCatalogue,
  type EventStreamStore,
  type RecordedEvent,
} from '../../functions/eventsourcing';
import { InMemoryEventStore, InMemoryEventTable } from '../../functions/eventsourcing/testing';
import { counter, type CounterEvent } from '../support/counter';
import { counterEventSchemas, counterEvents } from '../support/test-events';

/** A command handler as an application builds it, on an in-memory store instead of DynamoDB. */
const handlerOn = (store: EventStreamStore<CounterEvent & RecordedEvent>) =>
  new CommandHandler(new AggregateRepository(store, counter));

const newStore = (table = new InMemoryEventTable()) =>
  new InMemoryEventStore({ table, catalogue: counterEvents });

describe('a command handler on the in-memory event store', () => {
  it('loads, decides and appends, and the next command sees the result', async () => {
    const store = newStore();
    const handler = handlerOn(store);
    await handler.handle('counter-1', { type: 'increment', by: 5 });
    const result = await handler.handle('counter-1', { type: 'decrement', by: 2 });
    expect(result).toMatchObject({ version: 2, state: { value: 3, operations: 2 } });
    expect((await store.read('counter-1')).map((e) => [e.type, e.data])).toEqual([
      ['Incremented', { by: 5 }],
      ['Decremented', { by: 2 }],
    ]);
  });

  it('retries lost races: 20 concurrent commands on one stream lose no update', async () => {
    const table = new InMemoryEventTable();
    // One handler per "Lambda container", all on the same events.
    const handlers = Array.from(
      { length: 20 },
      () =>
        new CommandHandler(new AggregateRepository(newStore(table), counter), {
          maxAttempts: 20,
          baseDelayMs: 1,
          maxDelayMs: 5,
        }),
    );
    await Promise.all(handlers.map((h) => h.handle('counter-2', { type: 'increment', by: 1 })));
    const loaded = await new AggregateRepository(newStore(table), counter).load('counter-2');
    expect(loaded).toMatchObject({ version: 20, state: { value: 20, operations: 20 } });
    expect(table.versions('counter-2')).toHaveLength(20);
  });

  it('passes domain errors through and writes nothing', async () => {
    const store = newStore();
    const handler = handlerOn(store);
    await handler.handle('counter-3', { type: 'increment', by: 1 });
    const error = await handler
      .handle('counter-3', { type: 'decrement', by: 5 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'BelowZero' });
    expect(store.table.versions('counter-3')).toEqual([1]);
  });

  it('answers a pinned version the stream has left with a conflict, not a retry', async () => {
    const handler = handlerOn(newStore());
    await handler.handle('counter-4', { type: 'increment', by: 1 });
    await handler.handle('counter-4', { type: 'increment', by: 1 });
    const error = await handler
      .handle('counter-4', { type: 'increment', by: 1 }, { expectedVersion: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ expectedVersion: 1, actualVersion: 2 });
  });

  it('upcasts events an older release stored before folding them', async () => {
    const table = new InMemoryEventTable();
    // Incremented v1 had `amount`; the current schema (v2) has `by`.
    table.putStored({
      streamId: 'counter-5',
      version: 1,
      type: 'Incremented',
      data: { amount: 4 },
    });
    const catalogue = EventCatalogue.of(
      { ...counterEventSchemas, Incremented: z.object({ by: z.int() }) },
      { Incremented: { 1: (data) => ({ by: data.amount }) } },
    );
    const store = new InMemoryEventStore({ table, catalogue });
    const result = await handlerOn(store).handle('counter-5', { type: 'increment', by: 1 });
    expect(result).toMatchObject({ version: 2, state: { value: 5 } });
    expect(table.get('counter-5', 2)).toMatchObject({ schemaVersion: 2, data: { by: 1 } });
  });

  it('rebuilds the state as of an earlier version', async () => {
    const store = newStore();
    const handler = handlerOn(store);
    for (const by of [1, 2, 3]) await handler.handle('counter-6', { type: 'increment', by });
    const repository = new AggregateRepository(store, counter);
    expect(await repository.load('counter-6', { version: 2 })).toMatchObject({
      version: 2,
      state: { value: 3 },
    });
  });
});
