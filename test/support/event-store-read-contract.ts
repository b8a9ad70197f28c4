import { expect, it } from 'vitest';
import {
  ConcurrencyError,
  CorruptEventError,
  InvalidEventError,
  StreamGapError,
  TooManyEventsError,
  type EventStreamStore,
} from '../../functions/eventsourcing';
import {
  eventsOutsideTheCatalogue,
  events,
  newStreamId,
  range,
  type Context,
} from './event-store-cases';

/** What every store promises of reads. */
export function readContract(context: Context): void {
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

/** What every store promises of `appendToStreams`. */
export function multiStreamContract(context: Context): void {
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

  it('refuses following the head, duplicate streams and more than 100 events and heads', async () => {
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
        { streamId: newStreamId(), events: events(39), expectedVersion: 'no_stream' },
      ]),
    ).rejects.toBeInstanceOf(TooManyEventsError);
    expect(await harness.storedVersions(a)).toEqual([]);
  });
}

/** What every store promises of its catalogue. */
export function catalogueContract(context: Context): void {
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
