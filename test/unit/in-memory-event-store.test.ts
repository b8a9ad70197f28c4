import { describe, expect, it } from 'vitest';
import { InMemoryEventStore, InMemoryEventTable } from '../../functions/eventsourcing/testing';
import { UnsupportedOperationError } from '../../functions/eventsourcing';
import { eventStoreContract } from '../support/event-store-contract';
import { storeTestEvents } from '../support/test-events';

describe('the in-memory event store keeps the event store contract', () => {
  eventStoreContract(() => {
    const table = new InMemoryEventTable();
    return Promise.resolve({
      newStore: ({ raw = false } = {}) =>
        new InMemoryEventStore(raw ? { table } : { table, catalogue: storeTestEvents }),
      storedVersions: (streamId) => Promise.resolve(table.versions(streamId)),
      putStored: (event) => Promise.resolve(table.putStored(event)),
    });
  });
});

describe('the in-memory event store', () => {
  const write = {
    tableName: 'idempotency',
    item: { id: { S: 'key-1' } },
    conditionExpression: 'attribute_not_exists(id)',
  };

  it('refuses writes to other tables committed with an append, and writes nothing', async () => {
    const store = new InMemoryEventStore({ catalogue: storeTestEvents });
    const error = await store
      .append('s-1', [{ type: 'Once', data: {} }], { expectedVersion: 'any', alongside: [write] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedOperationError);
    expect(error).toMatchObject({ code: 'UnsupportedOperation' });
    expect((error as Error).message).toContain("'idempotency'");
    expect(store.table.versions('s-1')).toEqual([]);
    await expect(store.commitAt('s-1', 0, [write])).rejects.toBeInstanceOf(
      UnsupportedOperationError,
    );
  });

  it('keeps separate tables apart', async () => {
    const one = new InMemoryEventStore({ catalogue: storeTestEvents });
    const other = new InMemoryEventStore({ catalogue: storeTestEvents });
    await one.append('s-1', [{ type: 'Once', data: {} }], { expectedVersion: 'no_stream' });
    expect(await other.headVersion('s-1')).toBe(0);
  });

  it('records time from its clock', async () => {
    const store = new InMemoryEventStore({
      catalogue: storeTestEvents,
      clock: () => new Date('2026-03-01T10:00:00Z'),
    });
    const { events } = await store.append('s-1', [{ type: 'Once', data: {} }], {
      expectedVersion: 'no_stream',
    });
    expect(events[0]?.recordedAt).toBe('2026-03-01T10:00:00.000Z');
  });
});
