import { describe, expect, it } from 'vitest';
import { itemHashing, prepareEvents } from '../../functions/eventsourcing/event-items';
import { eventHash, storedFieldsOf } from '../../functions/eventsourcing/integrity';

const prepare = () =>
  prepareEvents(
    'acc-1',
    1,
    [1, 2].map((n) => ({ type: 'Deposited', data: { amount: n }, schemaVersion: 1 })),
    {
      recordedAt: '2026-12-07T00:00:00.000Z',
      newEventId: () => 'event',
      metadata: { actor: 'alice' },
      previousHash: undefined,
    },
  );

describe('itemHashing, the seam the benchmark short-circuits hashing through', () => {
  it('is, as shipped, the chained hash of each item’s stored fields', () => {
    const [first, second] = prepare();
    expect(first!.item.h?.S).toBe(eventHash(storedFieldsOf(first!.item)!, undefined));
    expect(second!.item.h?.S).toBe(eventHash(storedFieldsOf(second!.item)!, first!.event.hash));
  });

  it('gives prepareEvents what it returns while replaced, and the real hash once restored', () => {
    const real = itemHashing.hash;
    itemHashing.hash = () => 'f'.repeat(64);
    try {
      expect(prepare().map((p) => [p.item.h?.S, p.event.hash])).toEqual([
        ['f'.repeat(64), 'f'.repeat(64)],
        ['f'.repeat(64), 'f'.repeat(64)],
      ]);
    } finally {
      itemHashing.hash = real;
    }
    const [first] = prepare();
    expect(first!.item.h?.S).toBe(eventHash(storedFieldsOf(first!.item)!, undefined));
  });
});
