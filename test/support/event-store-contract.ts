import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConcurrencyError,
  CorruptEventError,
  EventTooLargeError,
  InvalidEventError,
  StreamGapError,
  TooManyEventsError,
  type EventStreamStore,
  type NewEvent,
} from '../../functions/eventsourcing';
import { MAX_ITEM_BYTES } from '../../functions/eventsourcing/item-size';

/** What the contract needs of one storage, past the store itself. */
export interface EventStoreHarness {
  /**
   * A new store on the same events, as another Lambda container would open one: with the
   * catalogue `storeTestEvents`, or without any (`raw`).
   */
  newStore(options?: { raw?: boolean }): EventStreamStore;
  /** The versions stored for a stream, read past the store so its checks cannot hide holes. */
  storedVersions(streamId: string): Promise<number[]>;
  /** Writes an event as stored, past every check of the store (a bad deploy, a manual fix). */
  putStored(event: {
    streamId: string;
    version: number;
    type: string;
    data: Record<string, unknown>;
  }): Promise<void>;
}

const events = (count: number, type = 'Happened'): NewEvent[] =>
  Array.from({ length: count }, (_, i) => ({ type, data: { n: i + 1 } }));

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

let streamCounter = 0;
const newStreamId = () => `contract-${Date.now()}-${++streamCounter}`;

/** Appends every store refuses before writing anything, and the field each error names. */
export const invalidAppends: [string, (store: EventStreamStore) => Promise<unknown>, string][] = [
  [
    'empty stream id',
    (store) => store.append('', events(1), { expectedVersion: 'any' }),
    'streamId',
  ],
  [
    'control characters in the stream id',
    (store) => store.append('a\nb', events(1), { expectedVersion: 'any' }),
    'streamId',
  ],
  ['no events', (store) => store.append('s', [], { expectedVersion: 'any' }), 'events'],
  [
    'an empty event type',
    (store) => store.append('s', [{ type: '', data: {} }], { expectedVersion: 'any' }),
    'events[0].type',
  ],
  [
    'data that is not an object',
    (store) =>
      store.append('s', [{ type: 'A', data: [1] as unknown as Record<string, unknown> }], {
        expectedVersion: 'any',
      }),
    'events[0].data',
  ],
  [
    'a number that is not finite',
    (store) => store.append('s', [{ type: 'A', data: { n: NaN } }], { expectedVersion: 'any' }),
    'events[0].data.n',
  ],
  [
    'an integer beyond 2^53',
    (store) => store.append('s', [{ type: 'A', data: { n: 2 ** 60 } }], { expectedVersion: 'any' }),
    'events[0].data.n',
  ],
  [
    'a number beyond DynamoDB range, deep inside',
    (store) =>
      store.append('s', [{ type: 'A', data: { list: [{ n: 1e300 }] } }], {
        expectedVersion: 'any',
      }),
    'events[0].data.list[0].n',
  ],
  [
    'a negative expected version',
    (store) => store.append('s', events(1), { expectedVersion: -1 }),
    'expectedVersion',
  ],
  [
    'a schema version of zero',
    (store) =>
      store.append('s', [{ type: 'A', data: {}, schemaVersion: 0 }], { expectedVersion: 'any' }),
    'events[0].schemaVersion',
  ],
];

/** Events the store tests' catalogue refuses, and the field each error names. */
export const eventsOutsideTheCatalogue: [string, NewEvent, string][] = [
  ['an unknown event type', { type: 'Vanished', data: {} }, 'events[0].type'],
  ['data that fails its schema', { type: 'Happened', data: { n: 'lots' } }, 'events[0].data.n'],
  ['a missing field', { type: 'Opened', data: {} }, 'events[0].data.owner'],
  [
    'a schema version that is not the current one',
    { type: 'Happened', data: { n: 1 }, schemaVersion: 2 },
    'events[0].schemaVersion',
  ],
];

/**
 * The behaviour every event store promises, whatever holds its events: registers the tests in
 * the calling file for the storage `setUp` opens.
 */
export function eventStoreContract(setUp: () => Promise<EventStoreHarness>): void {
  let harness: EventStoreHarness;
  let store: EventStreamStore;
  beforeAll(async () => {
    harness = await setUp();
    store = harness.newStore();
  });
  const stored = (streamId: string) => harness.storedVersions(streamId);

  describe('append', () => {
    appendContract(() => ({ harness, store }));
  });
  describe('read', () => {
    readContract(() => ({ harness, store }));
  });
  describe('appendToStreams', () => {
    multiStreamContract(() => ({ harness, store }));
  });
  describe('the event catalogue', () => {
    catalogueContract(() => ({ harness, store }));
  });
  describe('commitAt', () => {
    it('holds only while the stream is still at the version', async () => {
      const streamId = newStreamId();
      await store.append(streamId, events(2), { expectedVersion: 'no_stream' });
      await expect(store.commitAt(streamId, 2, [])).resolves.toBeUndefined();
      await expect(store.commitAt(streamId, 1, [])).rejects.toMatchObject({
        code: 'ConcurrencyConflict',
        actualVersion: 2,
      });
      expect(await stored(streamId)).toEqual([1, 2]);
    });
  });
}

type Context = () => { harness: EventStoreHarness; store: EventStreamStore };

function appendContract(context: Context): void {
  it('records every attribute of the data model, metadata merged', async () => {
    const { store } = context();
    const streamId = newStreamId();
    const result = await store.append(
      streamId,
      [{ type: 'Opened', data: { owner: 'ana' }, metadata: { actor: 'ana' } }],
      { expectedVersion: 'no_stream', metadata: { correlationId: 'c-1', actor: 'system' } },
    );
    expect(result.version).toBe(1);
    const [event] = await store.read(streamId);
    expect(event).toEqual({
      streamId,
      version: 1,
      eventId: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/) as string,
      type: 'Opened',
      schemaVersion: 1,
      data: { owner: 'ana' },
      metadata: { actor: 'ana', correlationId: 'c-1' },
      recordedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/) as string,
    });
    expect(result.events).toEqual([event]);
    expect(await store.headVersion(streamId)).toBe(1);
  });

  it('never records an event before notBefore', async () => {
    const { store } = context();
    const streamId = newStreamId();
    const notBefore = '2999-01-01T00:00:00.000Z';
    await store.append(streamId, events(1), { expectedVersion: 'no_stream', notBefore });
    expect((await store.read(streamId))[0]?.recordedAt).toBe(notBefore);
  });

  it('lets exactly one of 50 concurrent appends at the same version win', async () => {
    const { harness, store } = context();
    const streamId = newStreamId();
    await store.append(streamId, events(3), { expectedVersion: 'no_stream' });
    // Separate store instances, like separate Lambda containers.
    const writers = Array.from({ length: 50 }, () => harness.newStore());
    const outcomes = await Promise.allSettled(
      writers.map((writer, i) =>
        writer.append(streamId, [{ type: 'Raced', data: { writer: i } }], { expectedVersion: 3 }),
      ),
    );
    const losers = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
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
    expect(await harness.storedVersions(streamId)).toEqual(range(1, 4));
  });

  it('appends 100 events atomically', async () => {
    const { harness, store } = context();
    const streamId = newStreamId();
    const result = await store.append(streamId, events(100), { expectedVersion: 'no_stream' });
    expect(result.version).toBe(100);
    expect(result.events.map((e) => e.version)).toEqual(range(1, 100));
    expect(await harness.storedVersions(streamId)).toEqual(range(1, 100));
  });

  it('writes none of a 100-event append when one of its versions is taken', async () => {
    const { harness, store } = context();
    const streamId = newStreamId();
    await store.append(streamId, events(1), { expectedVersion: 'no_stream' });
    await expect(
      harness.newStore().append(streamId, events(100), { expectedVersion: 'no_stream' }),
    ).rejects.toMatchObject({ code: 'ConcurrencyConflict', actualVersion: 1 });
    expect(await harness.storedVersions(streamId)).toEqual([1]);
  });

  it('refuses 101 events and writes nothing', async () => {
    const { harness, store } = context();
    const streamId = newStreamId();
    await expect(
      store.append(streamId, events(101), { expectedVersion: 'no_stream' }),
    ).rejects.toBeInstanceOf(TooManyEventsError);
    expect(await harness.storedVersions(streamId)).toEqual([]);
  });

  it('refuses an exact expected version beyond the end of the stream', async () => {
    const { harness, store } = context();
    const streamId = newStreamId();
    await store.append(streamId, events(3), { expectedVersion: 'no_stream' });
    const other = harness.newStore();
    await expect(other.append(streamId, events(1), { expectedVersion: 5 })).rejects.toMatchObject({
      code: 'ConcurrencyConflict',
      expectedVersion: 5,
      actualVersion: 3,
    });
    await expect(other.append(streamId, events(2), { expectedVersion: 4 })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    expect(await harness.storedVersions(streamId)).toEqual([1, 2, 3]);
  });

  it('honours no_stream, stream_exists and any', async () => {
    const { harness, store } = context();
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
    expect(await harness.storedVersions(streamId)).toEqual([1, 2, 3]);
  });

  it("lets concurrent 'any' appends all land without holes", async () => {
    const { harness } = context();
    const streamId = newStreamId();
    const writers = Array.from({ length: 5 }, () => harness.newStore());
    await Promise.all(
      writers.map((w) => w.append(streamId, events(1), { expectedVersion: 'any' })),
    );
    expect(await harness.storedVersions(streamId)).toEqual(range(1, 5));
  });

  it('treats finding its own event at the version as success (a retried put)', async () => {
    const { harness, store } = context();
    const streamId = newStreamId();
    const event = { type: 'Once', data: {}, eventId: 'fixed-event-id' };
    await store.append(streamId, [event], { expectedVersion: 'no_stream' });
    const retried = await store.append(streamId, [event], { expectedVersion: 'no_stream' });
    expect(retried.version).toBe(1);
    expect(await harness.storedVersions(streamId)).toEqual([1]);
  });

  it.each(invalidAppends)(
    'refuses %s with a typed error naming the field',
    async (_, attempt, field) => {
      const { harness, store } = context();
      const error = await attempt(store).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidEventError);
      expect(error).toMatchObject({ code: 'InvalidEvent', field });
      expect(await harness.storedVersions('s')).toEqual([]);
    },
  );

  it('refuses an event over 400 KB with a typed error naming the size', async () => {
    const { harness, store } = context();
    const streamId = newStreamId();
    const error = await store
      .append(streamId, [{ type: 'Huge', data: { blob: 'x'.repeat(MAX_ITEM_BYTES) } }], {
        expectedVersion: 'no_stream',
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventTooLargeError);
    expect((error as EventTooLargeError).sizeBytes).toBeGreaterThan(MAX_ITEM_BYTES);
    expect((error as Error).message).toContain(String((error as EventTooLargeError).sizeBytes));
    expect(await harness.storedVersions(streamId)).toEqual([]);
  });
}

function readContract(context: Context): void {
  it('reads ranges forward and backward', async () => {
    const { store } = context();
    const streamId = newStreamId();
    await store.append(streamId, events(10), { expectedVersion: 'no_stream' });
    const versions = async (options: Parameters<EventStreamStore['read']>[1]) =>
      (await store.read(streamId, options)).map((e) => e.version);
    expect(await versions({})).toEqual(range(1, 10));
    expect(await versions({ fromVersion: 4, toVersion: 6 })).toEqual([4, 5, 6]);
    expect(await versions({ direction: 'backward', limit: 3 })).toEqual([10, 9, 8]);
    expect(await versions({ direction: 'backward', toVersion: 5, limit: 2 })).toEqual([5, 4]);
    expect(await versions({ fromVersion: 11 })).toEqual([]);
    expect(await versions({ limit: 0 })).toEqual([]);
    expect(await store.read(`${streamId}-missing`)).toEqual([]);
    expect(await store.headVersion(`${streamId}-missing`)).toBe(0);
  });

  it('reads the latest events oldest first, as stored, for a parse later', async () => {
    const { store } = context();
    const streamId = newStreamId();
    await store.append(streamId, events(10), { expectedVersion: 'no_stream' });
    const latest = await store.readLatest(streamId, 3);
    expect(latest.map((e) => e.version)).toEqual([8, 9, 10]);
    expect(store.parse(latest[0]!)).toEqual((await store.read(streamId, { fromVersion: 8 }))[0]);
    expect((await store.readLatest(streamId, 50)).map((e) => e.version)).toEqual(range(1, 10));
    expect(await store.readLatest(`${streamId}-missing`, 3)).toEqual([]);
  });

  it('stops at the limit', async () => {
    const { store } = context();
    const streamId = newStreamId();
    await store.append(streamId, events(20), { expectedVersion: 'no_stream' });
    expect((await store.read(streamId, { limit: 7 })).map((e) => e.version)).toEqual(range(1, 7));
    expect(
      (await store.read(streamId, { fromVersion: 15, limit: 10 })).map((e) => e.version),
    ).toEqual(range(15, 20));
  });

  it('refuses a limit that is not a non-negative integer', async () => {
    const { store } = context();
    await expect(store.read('s', { limit: -1 })).rejects.toMatchObject({
      code: 'InvalidEvent',
      field: 'limit',
    });
  });

  it('lets a reader stop early', async () => {
    const { store } = context();
    const streamId = newStreamId();
    await store.append(streamId, events(5), { expectedVersion: 'no_stream' });
    const seen: number[] = [];
    for await (const event of store.iterate(streamId)) {
      seen.push(event.version);
      if (event.version === 2) break;
    }
    expect(seen).toEqual([1, 2]);
  });

  it('fails a read that finds a hole in the stream', async () => {
    const { harness, store } = context();
    const streamId = newStreamId();
    await store.append(streamId, events(2), { expectedVersion: 'no_stream' });
    await harness.putStored({ streamId, version: 4, type: 'Happened', data: { n: 4 } });
    const error = await store.read(streamId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamGapError);
    expect(error).toMatchObject({ code: 'StreamGap', streamId, expectedVersion: 3 });
  });
}

function multiStreamContract(context: Context): void {
  it('appends to several streams atomically', async () => {
    const { harness, store } = context();
    const [a, b] = [newStreamId(), newStreamId()];
    await store.append(a, events(2), { expectedVersion: 'no_stream' });
    const results = await store.appendToStreams(
      [
        { streamId: a, events: events(1, 'Debited'), expectedVersion: 2 },
        { streamId: b, events: events(2, 'Started'), expectedVersion: 'no_stream' },
      ],
      { metadata: { correlationId: 'c-2' } },
    );
    expect(results.map((r) => [r.streamId, r.version])).toEqual([
      [a, 3],
      [b, 2],
    ]);
    expect(await harness.storedVersions(a)).toEqual([1, 2, 3]);
    expect(await harness.storedVersions(b)).toEqual([1, 2]);
    const [debited] = await store.read(a, { fromVersion: 3 });
    expect(debited).toMatchObject({ type: 'Debited', metadata: { correlationId: 'c-2' } });
  });

  it('writes nothing when any stream is not at its expected version', async () => {
    const { harness, store } = context();
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
    expect(await harness.storedVersions(a)).toEqual([1, 2]);
    expect(await harness.storedVersions(b)).toEqual([1]);
  });

  it('refuses following the head, duplicate streams and more than 100 events', async () => {
    const { harness, store } = context();
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
    expect(await harness.storedVersions(a)).toEqual([]);
  });
}

function catalogueContract(context: Context): void {
  it.each(eventsOutsideTheCatalogue)(
    'append refuses %s, naming the field, before writing',
    async (_, event, field) => {
      const { harness, store } = context();
      const streamId = newStreamId();
      const error = await store
        .append(streamId, [event], { expectedVersion: 'any' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidEventError);
      expect(error).toMatchObject({ code: 'InvalidEvent', field });
      expect(await harness.storedVersions(streamId)).toEqual([]);
    },
  );

  it('refuses a whole multi-stream append when one event does not fit', async () => {
    const { harness, store } = context();
    const [a, b] = [newStreamId(), newStreamId()];
    await expect(
      store.appendToStreams([
        { streamId: a, events: events(2), expectedVersion: 'no_stream' },
        { streamId: b, events: [{ type: 'Opened', data: { owner: 7 } }], expectedVersion: 0 },
      ]),
    ).rejects.toMatchObject({ code: 'InvalidEvent', field: 'events[0].data.owner' });
    expect(await harness.storedVersions(a)).toEqual([]);
  });

  it('stores the data as its schema parses it', async () => {
    const { store } = context();
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
    const { harness, store } = context();
    const streamId = newStreamId();
    await store.append(streamId, events(1), { expectedVersion: 'no_stream' });
    await harness.putStored({
      streamId,
      version: 2,
      type: 'Happened',
      data: { n: 'not-a-number' },
    });
    const error = await store.read(streamId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptEventError);
    expect(error).toMatchObject({
      code: 'CorruptEvent',
      streamId,
      version: 2,
      eventType: 'Happened',
      field: 'data.n',
    });
    await harness.putStored({ streamId: `${streamId}-b`, version: 1, type: 'Vanished', data: {} });
    await expect(store.read(`${streamId}-b`)).rejects.toMatchObject({
      code: 'CorruptEvent',
      version: 1,
      field: 'type',
    });
  });

  it('reads events as stored, and appends nothing, without a catalogue', async () => {
    const { harness } = context();
    const streamId = newStreamId();
    await harness.putStored({ streamId, version: 1, type: 'Vanished', data: { anything: true } });
    const raw = harness.newStore({ raw: true });
    expect(raw.catalogue).toBeUndefined();
    expect((await raw.read(streamId))[0]).toMatchObject({
      type: 'Vanished',
      data: { anything: true },
    });
    await expect(raw.append(streamId, events(1), { expectedVersion: 1 })).rejects.toMatchObject({
      code: 'InvalidEvent',
      field: 'catalogue',
    });
    expect(await harness.storedVersions(streamId)).toEqual([1]);
  });
}
