import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConcurrencyError,
  EventStore,
  EventTooLargeError,
  InvalidEventError,
  TooManyEventsError,
  WriteConditionFailedError,
  type ConditionalPut,
  type NewEvent,
} from '../../functions/eventsourcing';
import { MAX_ITEM_BYTES } from '../../functions/eventsourcing/item-size';
import { createTestTables, type TestTables } from '../support/dynamodb';
import { countRequests } from '../../bench/request-counter';
import { markers, putStoredEvent, storedVersions } from '../support/stored-items';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { eventsOutsideTheCatalogue, invalidAppends } from '../support/event-store-contract';
import { storeTestEvents } from '../support/test-events';

let tables: TestTables;
let store: EventStore;
let streamCounter = 0;
const newStreamId = () => `stream-${Date.now()}-${++streamCounter}`;

const events = (count: number, type = 'Happened'): NewEvent[] =>
  Array.from({ length: count }, (_, i) => ({ type, data: { n: i + 1 } }));

const stored = (streamId: string) => storedVersions(tables.client, tables.names.events, streamId);

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

const newStore = () =>
  new EventStore({
    client: tables.client,
    tableName: tables.names.events,
    catalogue: storeTestEvents,
  });

beforeAll(async () => {
  tables = await createTestTables();
  store = newStore();
});

describe('append', () => {
  it('appends 99 events and the head atomically in one transaction', async () => {
    const streamId = newStreamId();
    const counted = countRequests(tables.client);
    const result = await store.append(streamId, events(99), { expectedVersion: 'no_stream' });
    counted.stop();
    expect(result.version).toBe(99);
    expect(counted.commands).toEqual(['TransactWriteItemsCommand']);
    expect(await stored(streamId)).toEqual(range(1, 99));
  });

  it('refuses 100 events and writes nothing', async () => {
    const streamId = newStreamId();
    const counted = countRequests(tables.client);
    await expect(
      store.append(streamId, events(100), { expectedVersion: 'no_stream' }),
    ).rejects.toBeInstanceOf(TooManyEventsError);
    counted.stop();
    expect(counted.commands).toEqual([]);
    expect(await stored(streamId)).toEqual([]);
  });

  it('writes a single event with its head in one transaction, reading nothing it has seen', async () => {
    const streamId = newStreamId();
    const counted = countRequests(tables.client);
    await store.append(streamId, events(1), { expectedVersion: 'no_stream' });
    await store.append(streamId, events(1), { expectedVersion: 1 });
    counted.stop();
    expect(counted.commands).toEqual(['TransactWriteItemsCommand', 'TransactWriteItemsCommand']);
  });

  it.each(invalidAppends)('sends no request for %s', async (_name, attempt) => {
    const counted = countRequests(tables.client);
    await expect(attempt(store)).rejects.toBeInstanceOf(InvalidEventError);
    counted.stop();
    expect(counted.commands).toEqual([]);
  });

  it('measures item size as DynamoDB does: an event just under the limit is stored', async () => {
    const streamId = newStreamId();
    // Fill the item up to a few bytes under the limit, then let DynamoDB Local judge it.
    const probe = await store.append(streamId, [{ type: 'Big', data: { blob: '' } }], {
      expectedVersion: 'no_stream',
    });
    const { itemBytes } = await import('../../functions/eventsourcing/item-size');
    const { eventItem } = await import('../../functions/eventsourcing/event-items');
    const baseSize = itemBytes(eventItem(probe.events[0]!));
    // eventId and recordedAt have fixed lengths, so only the blob changes the size.
    const fits = 'y'.repeat(MAX_ITEM_BYTES - baseSize - 4);
    await expect(
      store.append(streamId, [{ type: 'Big', data: { blob: fits } }], { expectedVersion: 1 }),
    ).resolves.toMatchObject({ version: 2 });
    await expect(
      store.append(streamId, [{ type: 'Big', data: { blob: `${fits}zzzzzzzz` } }], {
        expectedVersion: 2,
      }),
    ).rejects.toBeInstanceOf(EventTooLargeError);
  });
});

describe('read', () => {
  it('treats limit as a real cap that stops querying', async () => {
    const streamId = newStreamId();
    await store.append(streamId, events(99), { expectedVersion: 'no_stream' });
    const counted = countRequests(tables.client);
    const read = await store.read(streamId, { limit: 7 });
    counted.stop();
    expect(read.map((e) => e.version)).toEqual(range(1, 7));
    expect(counted.commands).toEqual(['QueryCommand']);
    expect(counted.inputs[0]).toMatchObject({ Limit: 7, ConsistentRead: true });
  });

  it('reads a stream larger than one 1 MB page completely', async () => {
    const streamId = newStreamId();
    const blob = 'z'.repeat(100 * 1024);
    for (let batch = 0; batch < 3; batch++) {
      await store.append(
        streamId,
        Array.from({ length: 5 }, () => ({ type: 'Chunk', data: { blob } })),
        { expectedVersion: batch * 5 },
      );
    }
    const counted = countRequests(tables.client);
    const read = await store.read(streamId);
    counted.stop();
    expect(read.map((e) => e.version)).toEqual(range(1, 15));
    expect(read.every((e) => e.data.blob === blob)).toBe(true);
    expect(counted.commands.length).toBeGreaterThan(1);
  });
});

describe('the event catalogue', () => {
  it.each(eventsOutsideTheCatalogue)('sends no request for %s', async (_, event) => {
    const counted = countRequests(tables.client);
    await expect(
      store.append(newStreamId(), [event], { expectedVersion: 'any' }),
    ).rejects.toBeInstanceOf(InvalidEventError);
    counted.stop();
    expect(counted.commands).toEqual([]);
  });
});

describe('writes committed with an append', () => {
  /** Puts of marker items into the snapshots table, conditional on them being new. */
  const marker = () => markers(tables.client, tables.names.snapshots).next();
  const exists = (put: ConditionalPut) =>
    markers(tables.client, tables.names.snapshots).exists(put);

  it('lands with a one-event append in one transaction', async () => {
    const streamId = newStreamId();
    const put = marker();
    const counted = countRequests(tables.client);
    await store.append(streamId, events(1), { expectedVersion: 'no_stream', alongside: [put] });
    counted.stop();
    expect(counted.commands).toEqual(['TransactWriteItemsCommand']);
    expect(await exists(put)).toBe(true);
    expect(await stored(streamId)).toEqual([1]);
  });

  it('writes no event when its own condition fails', async () => {
    const streamId = newStreamId();
    const put = marker();
    await store.append(streamId, events(1), { expectedVersion: 'no_stream', alongside: [put] });
    const error = await store
      .append(streamId, events(2), { expectedVersion: 1, alongside: [put] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteConditionFailedError);
    expect(error).toMatchObject({ tableName: tables.names.snapshots, index: 0 });
    expect(await stored(streamId)).toEqual([1]);
  });

  it('is not written when the append loses its version', async () => {
    const streamId = newStreamId();
    await store.append(streamId, events(1), { expectedVersion: 'no_stream' });
    const put = marker();
    await expect(
      newStore().append(streamId, events(1), { expectedVersion: 'no_stream', alongside: [put] }),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await exists(put)).toBe(false);
  });

  it('commitAt writes only while the stream is still at the version', async () => {
    const streamId = newStreamId();
    await store.append(streamId, events(2), { expectedVersion: 'no_stream' });
    const first = marker();
    await store.commitAt(streamId, 2, [first]);
    expect(await exists(first)).toBe(true);
    const late = marker();
    await expect(store.commitAt(streamId, 1, [late])).rejects.toMatchObject({
      code: 'ConcurrencyConflict',
      actualVersion: 2,
    });
    expect(await exists(late)).toBe(false);
    await expect(store.commitAt(streamId, 2, [first])).rejects.toBeInstanceOf(
      WriteConditionFailedError,
    );
    expect(await stored(streamId)).toEqual([1, 2]);
  });
});

describe('the stream head', () => {
  const deleteEvent = (streamId: string, version: number) =>
    tables.client.send(
      new DeleteItemCommand({
        TableName: tables.names.events,
        Key: { streamId: { S: streamId }, version: { N: String(version) } },
      }),
    );

  it('keeps a stale writer from re-creating versions whose items were removed', async () => {
    const streamId = newStreamId();
    const stale = newStore();
    await stale.append(streamId, events(2), { expectedVersion: 'no_stream' });
    await newStore().append(streamId, events(3), { expectedVersion: 2 });
    // What archiving leaves: versions 1 to 4 gone from the table, the last one kept.
    for (const version of [1, 2, 3, 4]) await deleteEvent(streamId, version);
    // This writer saw version 2 itself, so it reads nothing before writing version 3.
    const error = await stale
      .append(streamId, events(1), { expectedVersion: 2 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ConcurrencyConflict', actualVersion: 5 });
    const fresh = await newStore()
      .append(streamId, events(1), { expectedVersion: 1 })
      .catch((e: unknown) => e);
    expect(fresh).toBeInstanceOf(ConcurrencyError);
    expect(await stored(streamId)).toEqual([5]);
    await newStore().append(streamId, events(1), { expectedVersion: 5 });
    expect(await stored(streamId)).toEqual([5, 6]);
  });

  it('takes over a stream written before heads, whose events alone guard it', async () => {
    const streamId = newStreamId();
    for (const version of [1, 2]) {
      await putStoredEvent(tables.client, tables.names.events, {
        streamId,
        version,
        type: 'Happened',
        data: { n: version },
      });
    }
    await expect(
      newStore().append(streamId, events(1), { expectedVersion: 1 }),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    await newStore().append(streamId, events(1), { expectedVersion: 2 });
    await expect(
      newStore().append(streamId, events(1), { expectedVersion: 2 }),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await stored(streamId)).toEqual([1, 2, 3]);
    expect(await newStore().headVersion(streamId)).toBe(3);
  });
});
