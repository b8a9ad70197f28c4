import { QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConcurrencyError,
  CorruptEventError,
  EventStore,
  EventTooLargeError,
  InvalidEventError,
  TooManyEventsError,
  WriteConditionFailedError,
  type ConditionalPut,
  type NewEvent,
} from '../functions/eventsourcing';
import { MAX_ITEM_BYTES } from '../functions/eventsourcing/item-size';
import { createTestTables, type TestTables } from './support/dynamodb';
import { countRequests } from '../bench/request-counter';
import { markers, putStoredEvent } from './support/stored-items';
import { storeTestEvents } from './support/test-events';

let tables: TestTables;
let store: EventStore;
let streamCounter = 0;
const newStreamId = () => `stream-${Date.now()}-${++streamCounter}`;

const events = (count: number, type = 'Happened'): NewEvent[] =>
  Array.from({ length: count }, (_, i) => ({ type, data: { n: i + 1 } }));

/** Versions in the table, read without the event store so its own checks cannot hide holes. */
async function storedVersions(streamId: string): Promise<number[]> {
  const versions: number[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await tables.client.send(
      new QueryCommand({
        TableName: tables.names.events,
        KeyConditionExpression: 'streamId = :s',
        ExpressionAttributeValues: { ':s': { S: streamId } },
        ProjectionExpression: 'version',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    versions.push(...(page.Items ?? []).map((item) => Number(item.version?.N)));
    start = page.LastEvaluatedKey;
  } while (start);
  return versions;
}

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
  it('stores the event item with every attribute of the data model', async () => {
    const streamId = newStreamId();
    const result = await store.append(
      streamId,
      [{ type: 'Opened', data: { owner: 'ana' }, metadata: { actor: 'ana' } }],
      { expectedVersion: 'no_stream', metadata: { correlationId: 'c-1' } },
    );
    expect(result.version).toBe(1);
    const [event] = await store.read(streamId);
    expect(event).toMatchObject({
      streamId,
      version: 1,
      type: 'Opened',
      schemaVersion: 1,
      data: { owner: 'ana' },
      metadata: { actor: 'ana', correlationId: 'c-1' },
    });
    expect(event?.eventId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(event?.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('lets exactly one of 50 concurrent appends at the same version win', async () => {
    const streamId = newStreamId();
    await store.append(streamId, events(3), { expectedVersion: 'no_stream' });
    // Separate store instances, like separate Lambda containers.
    const writers = Array.from({ length: 50 }, () => newStore());
    const outcomes = await Promise.allSettled(
      writers.map((writer, i) =>
        writer.append(streamId, [{ type: 'Raced', data: { writer: i } }], { expectedVersion: 3 }),
      ),
    );
    const winners = outcomes.filter((o) => o.status === 'fulfilled');
    const losers = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(49);
    for (const loser of losers) {
      expect(loser).toBeInstanceOf(ConcurrencyError);
      expect(loser).toMatchObject({
        code: 'ConcurrencyConflict',
        streamId,
        expectedVersion: 3,
        actualVersion: 4,
      });
    }
    expect(await storedVersions(streamId)).toEqual(range(1, 4));
  });

  it('appends 100 events atomically in one transaction', async () => {
    const streamId = newStreamId();
    const counted = countRequests(tables.client);
    const result = await store.append(streamId, events(100), { expectedVersion: 'no_stream' });
    counted.stop();
    expect(result.version).toBe(100);
    expect(counted.commands).toEqual(['TransactWriteItemsCommand']);
    expect(await storedVersions(streamId)).toEqual(range(1, 100));
  });

  it('writes none of a 100-event append when one of its versions is taken', async () => {
    const streamId = newStreamId();
    await store.append(streamId, events(1), { expectedVersion: 'no_stream' });
    const other = newStore();
    await expect(
      other.append(streamId, events(100), { expectedVersion: 'no_stream' }),
    ).rejects.toMatchObject({ code: 'ConcurrencyConflict', actualVersion: 1 });
    expect(await storedVersions(streamId)).toEqual([1]);
  });

  it('refuses 101 events and writes nothing', async () => {
    const streamId = newStreamId();
    const counted = countRequests(tables.client);
    await expect(
      store.append(streamId, events(101), { expectedVersion: 'no_stream' }),
    ).rejects.toBeInstanceOf(TooManyEventsError);
    counted.stop();
    expect(counted.commands).toEqual([]);
    expect(await storedVersions(streamId)).toEqual([]);
  });

  it('writes a single event with one PutItem', async () => {
    const streamId = newStreamId();
    const counted = countRequests(tables.client);
    await store.append(streamId, events(1), { expectedVersion: 'no_stream' });
    await store.append(streamId, events(1), { expectedVersion: 1 });
    counted.stop();
    expect(counted.commands).toEqual(['PutItemCommand', 'PutItemCommand']);
  });

  it('refuses an exact expected version beyond the end of the stream', async () => {
    const streamId = newStreamId();
    await store.append(streamId, events(3), { expectedVersion: 'no_stream' });
    const other = newStore();
    await expect(other.append(streamId, events(1), { expectedVersion: 5 })).rejects.toMatchObject({
      code: 'ConcurrencyConflict',
      expectedVersion: 5,
      actualVersion: 3,
    });
    await expect(other.append(streamId, events(2), { expectedVersion: 4 })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    expect(await storedVersions(streamId)).toEqual([1, 2, 3]);
  });

  it('honours no_stream, stream_exists and any', async () => {
    const streamId = newStreamId();
    await expect(
      store.append(streamId, events(1), { expectedVersion: 'stream_exists' }),
    ).rejects.toMatchObject({ code: 'ConcurrencyConflict', actualVersion: 0 });
    expect((await store.append(streamId, events(2), { expectedVersion: 'any' })).version).toBe(2);
    await expect(
      store.append(streamId, events(1), { expectedVersion: 'no_stream' }),
    ).rejects.toMatchObject({ code: 'ConcurrencyConflict', actualVersion: 2 });
    expect(
      (await store.append(streamId, events(1), { expectedVersion: 'stream_exists' })).version,
    ).toBe(3);
    await expect(store.append(streamId, events(1), { expectedVersion: 0 })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    expect(await storedVersions(streamId)).toEqual([1, 2, 3]);
  });

  it("lets concurrent 'any' appends all land without holes", async () => {
    const streamId = newStreamId();
    const writers = Array.from({ length: 5 }, () => newStore());
    await Promise.all(
      writers.map((w) => w.append(streamId, events(1), { expectedVersion: 'any' })),
    );
    expect(await storedVersions(streamId)).toEqual(range(1, 5));
  });

  it('treats finding its own event at the version as success (a retried put)', async () => {
    const streamId = newStreamId();
    const event = { type: 'Once', data: {}, eventId: 'fixed-event-id' };
    await store.append(streamId, [event], { expectedVersion: 'no_stream' });
    const retried = await store.append(streamId, [event], { expectedVersion: 'no_stream' });
    expect(retried.version).toBe(1);
    expect(await storedVersions(streamId)).toEqual([1]);
  });

  describe('refuses bad input before writing', () => {
    const cases: [string, () => Promise<unknown>, string][] = [
      [
        'empty stream id',
        () => store.append('', events(1), { expectedVersion: 'any' }),
        'streamId',
      ],
      [
        'control characters in the stream id',
        () => store.append('a\nb', events(1), { expectedVersion: 'any' }),
        'streamId',
      ],
      ['no events', () => store.append('s', [], { expectedVersion: 'any' }), 'events'],
      [
        'an empty event type',
        () => store.append('s', [{ type: '', data: {} }], { expectedVersion: 'any' }),
        'events[0].type',
      ],
      [
        'data that is not an object',
        () =>
          store.append('s', [{ type: 'A', data: [1] as unknown as Record<string, unknown> }], {
            expectedVersion: 'any',
          }),
        'events[0].data',
      ],
      [
        'a number that is not finite',
        () => store.append('s', [{ type: 'A', data: { n: NaN } }], { expectedVersion: 'any' }),
        'events[0].data.n',
      ],
      [
        'an integer beyond 2^53',
        () => store.append('s', [{ type: 'A', data: { n: 2 ** 60 } }], { expectedVersion: 'any' }),
        'events[0].data.n',
      ],
      [
        'a number beyond DynamoDB range, deep inside',
        () =>
          store.append('s', [{ type: 'A', data: { list: [{ n: 1e300 }] } }], {
            expectedVersion: 'any',
          }),
        'events[0].data.list[0].n',
      ],
      [
        'a negative expected version',
        () => store.append('s', events(1), { expectedVersion: -1 }),
        'expectedVersion',
      ],
      [
        'a schema version of zero',
        () =>
          store.append('s', [{ type: 'A', data: {}, schemaVersion: 0 }], {
            expectedVersion: 'any',
          }),
        'events[0].schemaVersion',
      ],
    ];
    it.each(cases)('%s', async (_name, attempt, field) => {
      const counted = countRequests(tables.client);
      const error = await attempt().catch((e: unknown) => e);
      counted.stop();
      expect(error).toBeInstanceOf(InvalidEventError);
      expect(error).toMatchObject({ code: 'InvalidEvent', field });
      expect(counted.commands).toEqual([]);
    });
  });

  it('refuses an event over 400 KB with a typed error naming the size', async () => {
    const streamId = newStreamId();
    const error = await store
      .append(streamId, [{ type: 'Huge', data: { blob: 'x'.repeat(MAX_ITEM_BYTES) } }], {
        expectedVersion: 'no_stream',
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventTooLargeError);
    expect((error as EventTooLargeError).sizeBytes).toBeGreaterThan(MAX_ITEM_BYTES);
    expect((error as Error).message).toContain(String((error as EventTooLargeError).sizeBytes));
    expect(await storedVersions(streamId)).toEqual([]);
  });

  it('measures item size as DynamoDB does: an event just under the limit is stored', async () => {
    const streamId = newStreamId();
    // Fill the item up to a few bytes under the limit, then let DynamoDB Local judge it.
    const probe = await store.append(streamId, [{ type: 'Big', data: { blob: '' } }], {
      expectedVersion: 'no_stream',
    });
    const { itemBytes } = await import('../functions/eventsourcing/item-size');
    const { eventItem } = await import('../functions/eventsourcing/event-items');
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
  it('reads ranges forward and backward', async () => {
    const streamId = newStreamId();
    await store.append(streamId, events(10), { expectedVersion: 'no_stream' });
    const versions = async (options: Parameters<EventStore['read']>[1]) =>
      (await store.read(streamId, options)).map((e) => e.version);
    expect(await versions({})).toEqual(range(1, 10));
    expect(await versions({ fromVersion: 4, toVersion: 6 })).toEqual([4, 5, 6]);
    expect(await versions({ direction: 'backward', limit: 3 })).toEqual([10, 9, 8]);
    expect(await versions({ direction: 'backward', toVersion: 5, limit: 2 })).toEqual([5, 4]);
    expect(await versions({ fromVersion: 11 })).toEqual([]);
    expect(await store.read(`${streamId}-missing`)).toEqual([]);
  });

  it('treats limit as a real cap that stops querying', async () => {
    const streamId = newStreamId();
    await store.append(streamId, events(100), { expectedVersion: 'no_stream' });
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

describe('appendToStreams', () => {
  it('appends to several streams atomically', async () => {
    const [a, b] = [newStreamId(), newStreamId()];
    await store.append(a, events(2), { expectedVersion: 'no_stream' });
    const results = await store.appendToStreams([
      { streamId: a, events: events(1, 'Debited'), expectedVersion: 2 },
      { streamId: b, events: events(2, 'Started'), expectedVersion: 'no_stream' },
    ]);
    expect(results.map((r) => [r.streamId, r.version])).toEqual([
      [a, 3],
      [b, 2],
    ]);
    expect(await storedVersions(a)).toEqual([1, 2, 3]);
    expect(await storedVersions(b)).toEqual([1, 2]);
  });

  it('writes nothing when any stream is not at its expected version', async () => {
    const [a, b] = [newStreamId(), newStreamId()];
    await store.append(a, events(2), { expectedVersion: 'no_stream' });
    await store.append(b, events(1), { expectedVersion: 'no_stream' });
    const error = await store
      .appendToStreams([
        { streamId: a, events: events(1), expectedVersion: 2 },
        { streamId: b, events: events(1), expectedVersion: 'no_stream' },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ streamId: b, actualVersion: 1 });
    expect(await storedVersions(a)).toEqual([1, 2]);
    expect(await storedVersions(b)).toEqual([1]);
  });

  it('refuses following the head, duplicate streams and more than 100 events', async () => {
    const a = newStreamId();
    await expect(
      store.appendToStreams([
        { streamId: a, events: events(1), expectedVersion: 'any' as unknown as number },
      ]),
    ).rejects.toMatchObject({ code: 'InvalidEvent', field: 'expectedVersion' });
    await expect(
      store.appendToStreams([
        { streamId: a, events: events(1), expectedVersion: 'no_stream' },
        { streamId: a, events: events(1), expectedVersion: 1 },
      ]),
    ).rejects.toMatchObject({ code: 'InvalidEvent', field: 'streamId' });
    await expect(
      store.appendToStreams([
        { streamId: a, events: events(60), expectedVersion: 'no_stream' },
        { streamId: newStreamId(), events: events(41), expectedVersion: 'no_stream' },
      ]),
    ).rejects.toBeInstanceOf(TooManyEventsError);
    expect(await storedVersions(a)).toEqual([]);
  });
});

describe('the event catalogue', () => {
  const putRaw = (streamId: string, version: number, type: string, data: object) =>
    putStoredEvent(tables.client, tables.names.events, { streamId, version, type, data });

  const cases: [string, NewEvent, string][] = [
    ['an unknown event type', { type: 'Vanished', data: {} }, 'events[0].type'],
    ['data that fails its schema', { type: 'Happened', data: { n: 'lots' } }, 'events[0].data.n'],
    ['a missing field', { type: 'Opened', data: {} }, 'events[0].data.owner'],
    [
      'a schema version that is not the current one',
      { type: 'Happened', data: { n: 1 }, schemaVersion: 2 },
      'events[0].schemaVersion',
    ],
  ];
  it.each(cases)('append refuses %s, naming the field, before writing', async (_, event, field) => {
    const streamId = newStreamId();
    const counted = countRequests(tables.client);
    const error = await store
      .append(streamId, [event], { expectedVersion: 'any' })
      .catch((e: unknown) => e);
    counted.stop();
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error).toMatchObject({ code: 'InvalidEvent', field });
    expect(counted.commands).toEqual([]);
    expect(await storedVersions(streamId)).toEqual([]);
  });

  it('refuses a whole multi-stream append when one event does not fit', async () => {
    const [a, b] = [newStreamId(), newStreamId()];
    await expect(
      store.appendToStreams([
        { streamId: a, events: events(2), expectedVersion: 'no_stream' },
        { streamId: b, events: [{ type: 'Opened', data: { owner: 7 } }], expectedVersion: 0 },
      ]),
    ).rejects.toMatchObject({ code: 'InvalidEvent', field: 'events[0].data.owner' });
    expect(await storedVersions(a)).toEqual([]);
  });

  it('stores the data as its schema parses it', async () => {
    const streamId = newStreamId();
    const { events: written } = await store.append(
      streamId,
      [{ type: 'Opened', data: { owner: 'ana', note: 'not in the schema' } }],
      { expectedVersion: 'no_stream' },
    );
    expect(written[0]?.data).toEqual({ owner: 'ana' });
    expect((await store.read(streamId))[0]?.data).toEqual({ owner: 'ana' });
  });

  it('fails a read on a stored event that does not fit its schema, naming stream, version and field', async () => {
    const streamId = newStreamId();
    await store.append(streamId, events(1), { expectedVersion: 'no_stream' });
    await putRaw(streamId, 2, 'Happened', { n: 'not-a-number' });
    const error = await store.read(streamId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptEventError);
    expect(error).toMatchObject({
      code: 'CorruptEvent',
      streamId,
      version: 2,
      eventType: 'Happened',
      field: 'data.n',
    });
    await putRaw(`${streamId}-b`, 1, 'Vanished', {});
    await expect(store.read(`${streamId}-b`)).rejects.toMatchObject({
      code: 'CorruptEvent',
      version: 1,
      field: 'type',
    });
  });

  it('reads events as stored, and appends nothing, without a catalogue', async () => {
    const streamId = newStreamId();
    await putRaw(streamId, 1, 'Vanished', { anything: true });
    const raw = new EventStore({ client: tables.client, tableName: tables.names.events });
    expect((await raw.read(streamId))[0]).toMatchObject({
      type: 'Vanished',
      data: { anything: true },
    });
    await expect(raw.append(streamId, events(1), { expectedVersion: 1 })).rejects.toMatchObject({
      code: 'InvalidEvent',
      field: 'catalogue',
    });
    expect(await storedVersions(streamId)).toEqual([1]);
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
    expect(await storedVersions(streamId)).toEqual([1]);
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
    expect(await storedVersions(streamId)).toEqual([1]);
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
    expect(await storedVersions(streamId)).toEqual([1, 2]);
  });
});
