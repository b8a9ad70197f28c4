import { decodeTime, isValid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { eventIdFactory, pooledRandom } from '../../functions/eventsourcing/event-ids';

describe('event ids', () => {
  it('draws byte fractions in [0, 1) past several refills of the pool', () => {
    const random = pooledRandom();
    const values = Array.from({ length: 3 * 4096 + 7 }, () => random());
    expect(values.every((v) => v >= 0 && v < 1 && Number.isInteger(v * 256))).toBe(true);
    // 12,295 draws over 256 possible bytes: a pool that stopped refilling would repeat itself.
    expect(new Set(values.map((v) => v * 256)).size).toBe(256);
    const pools = [0, 1, 2].map((i) => values.slice(i * 4096, (i + 1) * 4096).join());
    expect(new Set(pools).size).toBe(3);
  });

  it('makes valid ULIDs that increase within one millisecond', () => {
    const newId = eventIdFactory();
    const now = Date.parse('2026-05-01T12:00:00Z');
    const ids = Array.from({ length: 1000 }, () => newId(now));
    expect(ids.every((id) => isValid(id) && decodeTime(id) === now)).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives independent factories different random parts', () => {
    const now = Date.parse('2026-05-01T12:00:00Z');
    expect(eventIdFactory()(now)).not.toBe(eventIdFactory()(now));
  });
});
