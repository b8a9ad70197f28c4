import { expect, it } from 'vitest';
import { ConcurrencyError, type RecordedEvent } from '../../functions/eventsourcing';
import { eventItem } from '../../functions/eventsourcing/event-items';
import { eventHash, storedFieldsOf } from '../../functions/eventsourcing/integrity';
import { events, newStreamId, type Context } from './event-store-cases';

/** The hash an event should carry, recomputed from its stored fields and its predecessor's. */
function expectedHash(event: RecordedEvent, previous: string | undefined): string {
  return eventHash(storedFieldsOf(eventItem(event))!, previous);
}

/** Checks that each event's hash chains to the one before it, the first to `start`. */
function expectChained(stream: readonly RecordedEvent[], start?: string): void {
  let previous = start;
  for (const event of stream) {
    expect(event.hash, `version ${event.version}`).toBe(expectedHash(event, previous));
    previous = event.hash;
  }
}

/** What every store promises of the hash chain (docs/integrity.md). */
export function hashChainContract(context: Context): void {
  it('hashes every event over its stored fields, chained within and across appends', async () => {
    const { store } = context();
    const streamId = newStreamId();
    const first = await store.append(streamId, events(3), { expectedVersion: 'no_stream' });
    const second = await store.append(streamId, events(1, 'Debited'), { expectedVersion: 3 });
    const stream = await store.read(streamId);
    expect(stream.map((e) => e.hash)).toEqual(
      [...first.events, ...second.events].map((e) => e.hash),
    );
    expect(new Set(stream.map((e) => e.hash)).size).toBe(4);
    expectChained(stream);
  });

  it('chains to the head that other writers appended, whatever this writer saw', async () => {
    const { harness, store } = context();
    const streamId = newStreamId();
    await store.append(streamId, events(1), { expectedVersion: 'no_stream' });
    await store.read(streamId);
    await harness.newStore().append(streamId, events(2), { expectedVersion: 1 });
    await expect(store.append(streamId, events(1), { expectedVersion: 1 })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    await store.append(streamId, events(1), { expectedVersion: 'any' });
    await harness.newStore().append(streamId, events(1), { expectedVersion: 4 });
    await harness.newStore().append(streamId, events(1), { expectedVersion: 'stream_exists' });
    expectChained(await store.read(streamId));
  });

  it('chains each stream of a multi-stream append to its own head', async () => {
    const { store } = context();
    const [a, b] = [newStreamId(), newStreamId()];
    await store.append(a, events(2), { expectedVersion: 'no_stream' });
    await store.appendToStreams([
      { streamId: a, expectedVersion: 2, events: events(2) },
      { streamId: b, expectedVersion: 'no_stream', events: events(3) },
    ]);
    expectChained(await store.read(a));
    expectChained(await store.read(b));
  });

  it('starts a chain after events stored before hashing, which stay unhashed', async () => {
    const { harness } = context();
    const streamId = newStreamId();
    for (const version of [1, 2]) {
      await harness.putStored({ streamId, version, type: 'Happened', data: { n: version } });
    }
    const raw = harness.newStore({ raw: true });
    await harness.newStore().append(streamId, events(2), { expectedVersion: 2 });
    const stream = await raw.read(streamId);
    expect(stream.slice(0, 2).map((e) => e.hash)).toEqual([undefined, undefined]);
    expectChained(stream.slice(2));
  });
}
