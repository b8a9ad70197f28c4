import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { prepareEvents } from '../../functions/eventsourcing/event-items';
import { checkChain } from '../../functions/eventsourcing/integrity/chain-check';
import fc from 'fast-check';
import { HashInput } from '../../functions/eventsourcing/integrity/encoding';
import { eventHashInput } from '../../functions/eventsourcing/integrity/event-hash';
import {
  eventHash,
  storedFieldsOf,
  type StoredEventFields,
} from '../../functions/eventsourcing/integrity';

type Item = Record<string, AttributeValue>;

/** The items the event store writes for `count` events of one stream, from `first` on. */
function streamItems(count: number, first = 1, previousHash?: string): Item[] {
  let counter = 0;
  return prepareEvents(
    'acc-1',
    first,
    Array.from({ length: count }, (_, i) => ({
      type: 'Deposited',
      data: { amount: 100 * (first + i) },
      schemaVersion: 1,
    })),
    {
      recordedAt: '2026-12-06T12:00:00.000Z',
      newEventId: () => `event-${++counter}`,
      metadata: { actor: 'alice' },
      previousHash,
    },
  ).map((prepared) => prepared.item);
}

/** An item of the first layout (maps, no hash), as stored before events were hashed. */
const legacyItem = (version: number): Item =>
  marshall({
    streamId: 'acc-1',
    version,
    eventId: `legacy-${version}`,
    type: 'Deposited',
    schemaVersion: 1,
    data: { amount: version },
    metadata: {},
    recordedAt: '2025-01-01T00:00:00.000Z',
  });

const kinds = (items: readonly Item[]) =>
  checkChain(items).findings.map(({ kind, version }) => `${kind}@${version}`);

describe('event hashes', () => {
  const fields: StoredEventFields = {
    streamId: 's',
    version: 1,
    eventId: 'e',
    type: 'T',
    schemaVersion: 1,
    recordedAt: '2026-01-01T00:00:00.000Z',
    data: '{}',
    meta: undefined,
  };

  it('change with every stored field and with the previous hash', () => {
    const base = eventHash(fields, undefined);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    const variants: Partial<StoredEventFields>[] = [
      { streamId: 's2' },
      { version: 2 },
      { eventId: 'f' },
      { type: 'U' },
      { schemaVersion: 2 },
      { recordedAt: '2026-01-01T00:00:00.001Z' },
      { data: '{ }' },
      { meta: '' },
      { meta: '{}' },
    ];
    const hashes = variants.map((change) => eventHash({ ...fields, ...change }, undefined));
    expect(new Set([base, ...hashes]).size).toBe(variants.length + 1);
    expect(eventHash(fields, base)).not.toBe(base);
  });

  it('are taken over exactly the bytes the documented encoding spells out', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const fields = fc.record({
      streamId: text,
      version: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      eventId: text,
      type: text,
      schemaVersion: fc.integer({ min: 1, max: 2 ** 40 }),
      recordedAt: text,
      data: text,
      meta: fc.option(text, { nil: undefined }),
    });
    const previous = fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 }), { nil: undefined });
    fc.assert(
      fc.property(fields, previous, (event, before) => {
        const previousHash = before && Buffer.from(before).toString('hex');
        const spelledOut = new HashInput()
          .text('dynamo-event-sourcing/event/v1')
          .raw(before ?? Buffer.alloc(32))
          .text(event.streamId)
          .integer(event.version)
          .text(event.eventId)
          .text(event.type)
          .integer(event.schemaVersion)
          .text(event.recordedAt)
          .text(event.data)
          .optionalText(event.meta)
          .bytes();
        expect(eventHashInput(event, previousHash)).toEqual(spelledOut);
      }),
    );
  });

  it('do not let one field borrow bytes from the next', () => {
    expect(eventHash({ ...fields, streamId: 'ab', eventId: 'c' }, undefined)).not.toBe(
      eventHash({ ...fields, streamId: 'a', eventId: 'bc' }, undefined),
    );
  });
});

describe('checking a stream chain', () => {
  it('finds nothing in a stream as written, and recomputes every hash', () => {
    const items = [...streamItems(3), ...streamItems(2, 4, streamItems(3).at(-1)!.h!.S)];
    const check = checkChain(items);
    expect(check.findings).toEqual([]);
    expect(check.eventsChecked).toBe(5);
    expect([...check.hashes.values()]).toEqual(items.map((item) => item.h!.S));
  });

  it('finds data edited in place at its version', () => {
    const items = streamItems(5);
    items[2] = { ...items[2]!, data: { S: '{"amount":999999}' } };
    expect(kinds(items)).toEqual(['hash-mismatch@3']);
  });

  it('finds an edit whose hash was recomputed at the next event', () => {
    const items = streamItems(5);
    const edited: Item = { ...items[2]!, data: { S: '{"amount":1}' } };
    const previous = items[1]!.h!.S;
    edited.h = { S: eventHash(storedFieldsOf(edited)!, previous) };
    items[2] = edited;
    expect(kinds(items)).toEqual(['hash-mismatch@4']);
  });

  it('finds an event deleted from the middle as a hole', () => {
    const items = streamItems(5);
    items.splice(2, 1);
    expect(kinds(items)).toEqual(['version-gap@3']);
  });

  it("finds two events' contents swapped at both versions", () => {
    const items = streamItems(5);
    const [second, third] = [items[1]!, items[2]!];
    items[1] = { ...second, data: third.data!, eventId: third.eventId! };
    items[2] = { ...third, data: second.data!, eventId: second.eventId! };
    expect(kinds(items)).toEqual(['hash-mismatch@2', 'hash-mismatch@3']);
  });

  it('finds a stored hash removed after the chain began', () => {
    const items = streamItems(4);
    const unhashed = { ...items[2]! };
    delete unhashed.h;
    items[2] = unhashed;
    expect(kinds(items)).toEqual(['hash-missing@3', 'hash-mismatch@4']);
  });

  it('reports events stored before hashing as unsealed, and chains from the first hashed one', () => {
    const items = [legacyItem(1), legacyItem(2), ...streamItems(2, 3)];
    const check = checkChain(items);
    expect(check.findings).toEqual([]);
    expect(check.unsealed).toEqual({ streamId: 'acc-1', fromVersion: 1, toVersion: 2 });
    expect(check.hashes.size).toBe(2);
  });

  it('checks a run from the middle of a stream against the event before it', () => {
    const items = streamItems(6);
    expect(checkChain(items.slice(3), items[2]).findings).toEqual([]);
    expect(checkChain(items.slice(3), items[1]).findings.map((f) => f.kind)).toEqual([
      'version-gap',
    ]);
    const forged = { ...items[2]!, h: { S: 'f'.repeat(64) } };
    expect(checkChain(items.slice(3), forged).findings.map((f) => f.version)).toEqual([4]);
  });
});
