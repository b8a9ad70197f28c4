import { describe, expect, it } from 'vitest';
import { Epochs, type LogHead } from '../../functions/eventsourcing/global-log';
import { planPage, type PendingEntry } from '../../functions/eventsourcing/global-log';

const EMPTY: LogHead = { lastPosition: 0, pages: 0, types: {} };
const at = (second: number) => `2026-01-01T00:00:${String(second).padStart(2, '0')}.000Z`;
const entry = (
  streamId: string,
  version: number,
  type = 'Deposited',
  second = 0,
): PendingEntry => ({
  streamId,
  version,
  type,
  recordedAt: at(second),
});

describe('planning a page of the global log', () => {
  it('numbers entries after the head and moves each stream marker and type chain', () => {
    const head: LogHead = {
      lastPosition: 10,
      pages: 3,
      newestRecordedAt: at(5),
      types: { Deposited: { last: 9, count: 4 } },
    };
    const queue = [
      entry('a', 3, 'Deposited', 6),
      entry('b', 1, 'Opened', 7),
      entry('a', 4, 'Withdrawn', 2),
      entry('b', 2, 'Deposited', 8),
    ];
    const plan = planPage({ head, queue, markers: new Map([['a', 2]]), epochs: new Epochs(1000) })!;
    expect(plan.firstPosition).toBe(11);
    expect(plan.entries.map((e) => `${e.s}${e.v}`)).toEqual(['a3', 'b1', 'a4', 'b2']);
    expect(plan.markers).toEqual([
      { streamId: 'a', from: 2, to: 4 },
      { streamId: 'b', from: 0, to: 2 },
    ]);
    expect(plan.typePages).toEqual([
      {
        type: 'Deposited',
        sk: 14,
        previous: 9,
        entries: [
          { p: 11, s: 'a', v: 3, r: at(6) },
          { p: 14, s: 'b', v: 2, r: at(8) },
        ],
      },
      { type: 'Opened', sk: 12, previous: 0, entries: [{ p: 12, s: 'b', v: 1, r: at(7) }] },
      { type: 'Withdrawn', sk: 13, previous: 0, entries: [{ p: 13, s: 'a', v: 4, r: at(2) }] },
    ]);
    expect(plan.headBefore).toBe(head);
    expect(plan.headAfter).toEqual({
      lastPosition: 14,
      pages: 4,
      newestRecordedAt: at(8),
      types: {
        Deposited: { last: 14, count: 6 },
        Opened: { last: 12, count: 1 },
        Withdrawn: { last: 13, count: 1 },
      },
    });
  });

  it('keeps a transaction within 100 items: page, head, one per type and one per stream', () => {
    const queue = Array.from({ length: 120 }, (_, i) => entry(`s${i}`, 1));
    const plan = planPage({ head: EMPTY, queue, markers: new Map(), epochs: new Epochs() })!;
    // 1 page + 1 head + 1 type page + 97 markers
    expect(plan.entries).toHaveLength(97);
    expect(2 + plan.typePages.length + plan.markers.length).toBe(100);
  });

  it('takes many events of few streams up to the entry limit', () => {
    const queue = Array.from({ length: 300 }, (_, i) => entry(`s${i % 3}`, Math.floor(i / 3) + 1));
    const plan = planPage({
      head: EMPTY,
      queue,
      markers: new Map(),
      epochs: new Epochs(),
      limits: { maxEntries: 250, maxBytes: 1_000_000, maxItems: 100 },
    })!;
    expect(plan.entries).toHaveLength(250);
  });

  it('cuts a page by its estimated size', () => {
    const long = 'x'.repeat(1000);
    const queue = Array.from({ length: 50 }, (_, i) => entry(`${long}${i}`, 1));
    const plan = planPage({
      head: EMPTY,
      queue,
      markers: new Map(),
      epochs: new Epochs(),
      limits: { maxEntries: 250, maxBytes: 10_000, maxItems: 100 },
    })!;
    expect(plan.entries.length).toBeGreaterThan(1);
    expect(plan.entries.length).toBeLessThan(10);
  });

  it('never lets a page cross an epoch boundary', () => {
    const head: LogHead = { lastPosition: 8, pages: 2, types: {} };
    const queue = Array.from({ length: 5 }, (_, i) => entry('s', i + 9));
    const plan = planPage({ head, queue, markers: new Map([['s', 8]]), epochs: new Epochs(10) })!;
    expect(plan.epoch).toBe(0);
    expect(plan.entries.map((e) => e.v)).toEqual([9, 10]);
    const next = planPage({
      head: plan.headAfter,
      queue: queue.slice(2),
      markers: new Map([['s', 10]]),
      epochs: new Epochs(10),
    })!;
    expect(next).toMatchObject({ epoch: 1, firstPosition: 11 });
  });

  it('refuses a queue that skips a version', () => {
    expect(() =>
      planPage({ head: EMPTY, queue: [entry('s', 2)], markers: new Map(), epochs: new Epochs() }),
    ).toThrow(/queued version 2 where 1 was due/);
    expect(
      planPage({ head: EMPTY, queue: [], markers: new Map(), epochs: new Epochs() }),
    ).toBeUndefined();
  });
});
