import { describe, expect, it } from 'vitest';
import { everyNEvents, hybrid, timeBased } from '../../functions/eventsourcing';

const at = (iso: string) => new Date(iso);

describe('snapshot strategies', () => {
  const base = { snapshotTakenAt: undefined, now: at('2026-01-01T00:00:00Z') };

  it('every N events counts events since the last snapshot', () => {
    const strategy = everyNEvents(10);
    expect(strategy({ ...base, version: 9, snapshotVersion: 0 })).toBe(false);
    expect(strategy({ ...base, version: 10, snapshotVersion: 0 })).toBe(true);
    expect(strategy({ ...base, version: 19, snapshotVersion: 10 })).toBe(false);
    expect(strategy({ ...base, version: 21, snapshotVersion: 10 })).toBe(true);
    expect(() => everyNEvents(0)).toThrow(RangeError);
  });

  it('time-based snapshots when the last one is old and something changed', () => {
    const strategy = timeBased(60_000);
    const recent = { snapshotTakenAt: at('2026-01-01T00:00:00Z'), snapshotVersion: 5 };
    expect(strategy({ ...recent, version: 6, now: at('2026-01-01T00:00:59Z') })).toBe(false);
    expect(strategy({ ...recent, version: 6, now: at('2026-01-01T00:01:00Z') })).toBe(true);
    expect(strategy({ ...recent, version: 5, now: at('2026-01-02T00:00:00Z') })).toBe(false);
    expect(strategy({ ...base, version: 1, snapshotVersion: 0 })).toBe(true);
  });

  it('hybrid takes whichever comes first', () => {
    const strategy = hybrid({ events: 100, maxAgeMs: 60_000 });
    const taken = { snapshotTakenAt: at('2026-01-01T00:00:00Z'), snapshotVersion: 10 };
    expect(strategy({ ...taken, version: 11, now: at('2026-01-01T00:00:01Z') })).toBe(false);
    expect(strategy({ ...taken, version: 110, now: at('2026-01-01T00:00:01Z') })).toBe(true);
    expect(strategy({ ...taken, version: 11, now: at('2026-01-01T00:02:00Z') })).toBe(true);
  });
});
