import { expect, it } from 'vitest';
import {
  ConcurrencyError,
  EventTooLargeError,
  InvalidEventError,
  StreamClosedError,
  TOMBSTONE_TYPE,
  TooManyEventsError,
  closedAt,
} from '../../functions/eventsourcing';
import { MAX_ITEM_BYTES } from '../../functions/eventsourcing/item-size';
import { events, invalidAppends, newStreamId, range, type Context } from './event-store-cases';

/** What every store promises of `append`. */
export function appendContract(context: Context): void {
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
      hash: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
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

  it('appends 99 events atomically (the 100th action of the transaction is the head)', async () => {
    const { harness, store } = context();
    const streamId = newStreamId();
    const result = await store.append(streamId, events(99), { expectedVersion: 'no_stream' });
    expect(result.version).toBe(99);
    expect(result.events.map((e) => e.version)).toEqual(range(1, 99));
    expect(await harness.storedVersions(streamId)).toEqual(range(1, 99));
  });

  it('writes none of a 99-event append when one of its versions is taken', async () => {
    const { harness, store } = context();
    const streamId = newStreamId();
    await store.append(streamId, events(1), { expectedVersion: 'no_stream' });
    await expect(
      harness.newStore().append(streamId, events(99), { expectedVersion: 'no_stream' }),
    ).rejects.toMatchObject({ code: 'ConcurrencyConflict', actualVersion: 1 });
    expect(await harness.storedVersions(streamId)).toEqual([1]);
  });

  it('refuses 100 events and writes nothing', async () => {
    const { harness, store } = context();
    const streamId = newStreamId();
    await expect(
      store.append(streamId, events(100), { expectedVersion: 'no_stream' }),
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

/** What every store promises of `close`: a tombstone, then no more appends. */
export function closeContract(context: Context): void {
  it('closes a stream with its tombstone and refuses every append after it', async () => {
    const { harness, store } = context();
    const streamId = newStreamId();
    await store.append(streamId, events(2), { expectedVersion: 'no_stream' });
    const closed = await store.close(streamId, 'account closed by its owner', {
      expectedVersion: 2,
      metadata: { actor: 'operator' },
    });
    expect(closed.version).toBe(3);
    // A fresh store, as another Lambda container: it learns of the closing from the table.
    const other = harness.newStore();
    for (const expectedVersion of [3, 'any', 'stream_exists'] as const) {
      await expect(other.append(streamId, events(1), { expectedVersion })).rejects.toMatchObject({
        code: 'StreamClosed',
        streamId,
        version: 3,
      });
    }
    await expect(
      other.appendToStreams([{ streamId, events: events(1), expectedVersion: 3 }]),
    ).rejects.toBeInstanceOf(StreamClosedError);
    await expect(other.close(streamId, 'again', { expectedVersion: 'any' })).rejects.toBeInstanceOf(
      StreamClosedError,
    );
    await expect(other.commitAt(streamId, 3, [])).rejects.toBeInstanceOf(StreamClosedError);
    expect(await harness.storedVersions(streamId)).toEqual([1, 2, 3]);
    const tombstone = (await other.read(streamId)).at(-1)!;
    expect(tombstone).toMatchObject({
      type: TOMBSTONE_TYPE,
      version: 3,
      data: { reason: 'account closed by its owner' },
      metadata: { actor: 'operator' },
    });
    expect(await closedAt(other, streamId)).toBe(3);
  });

  it('closes only a stream that exists, at the version expected, for a reason', async () => {
    const { harness, store } = context();
    const streamId = newStreamId();
    await expect(store.close(streamId, 'gone', { expectedVersion: 'any' })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    await store.append(streamId, events(2), { expectedVersion: 'no_stream' });
    await expect(store.close(streamId, 'gone', { expectedVersion: 1 })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    await expect(store.close(streamId, ' ', { expectedVersion: 2 })).rejects.toMatchObject({
      code: 'InvalidEvent',
      field: 'reason',
    });
    expect(await harness.storedVersions(streamId)).toEqual([1, 2]);
    expect(await closedAt(store, streamId)).toBeUndefined();
  });
}
