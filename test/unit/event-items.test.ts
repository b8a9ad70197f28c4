import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { CorruptEventError, type RecordedEvent } from '../../functions/eventsourcing';
import {
  eventFromAttributes,
  eventFromItem,
  eventItem,
  readEventItem,
} from '../../functions/eventsourcing/event-items';
import { itemBytes } from '../../functions/eventsourcing/item-size';

describe('item size', () => {
  it('follows the published sizing rules', () => {
    // name "a" (1) + "abc" (3)
    expect(itemBytes(marshall({ a: 'abc' }))).toBe(4);
    // "n" (1) + 12345 → 3 significant-digit pairs + 1 = 4
    expect(itemBytes(marshall({ n: 12345 }))).toBe(5);
    // "m" (1) + map overhead 3 + entry (1 + "x" 1 + true 1)
    expect(itemBytes(marshall({ m: { x: true } }))).toBe(7);
    // "l" (1) + list overhead 3 + 2 × (1 + 1-byte string)
    expect(itemBytes(marshall({ l: ['a', 'b'] }))).toBe(8);
    expect(itemBytes(marshall({ s: 'é' }))).toBe(3);
  });
});

describe('event items', () => {
  const stored: RecordedEvent = {
    streamId: 's-1',
    version: 4,
    eventId: 'e-4',
    type: 'Deposited',
    schemaVersion: 2,
    data: { amount: 5 },
    metadata: { actor: 'a' },
    recordedAt: '2026-01-02T03:04:05.678Z',
  };

  it('reads back what it wrote, in the compact and the first layout', () => {
    expect(eventFromItem(eventItem(stored))).toEqual(stored);
    // The first layout: every attribute under its full name, data and metadata as maps.
    const firstLayout = marshall({ ...stored });
    expect(eventFromItem(firstLayout)).toEqual(stored);
  });

  it('names an event whose data or metadata is not a JSON object as corrupt', () => {
    const broken = (field: 'data' | 'meta', json: string) => ({
      ...eventItem(stored),
      [field]: { S: json },
    });
    for (const [field, json, reason] of [
      ['data', '{"amount": 5', /^not JSON: /],
      ['data', '[1,2]', /^not a JSON object$/],
      ['data', 'null', /^not a JSON object$/],
      ['meta', '"text"', /^not a JSON object$/],
    ] as const) {
      const item = broken(field, json);
      expect(() => eventFromItem(item)).toThrow(CorruptEventError);
      const { event, error } = readEventItem(item);
      expect(error).toMatchObject({
        streamId: 's-1',
        version: 4,
        eventId: 'e-4',
        eventType: 'Deposited',
        field: field === 'meta' ? 'metadata' : 'data',
        reason: expect.stringMatching(reason) as unknown,
      });
      // Key, type, time and the readable document stay, for readers that need nothing else.
      expect(event).toEqual({ ...stored, ...(field === 'meta' ? { metadata: {} } : { data: {} }) });
    }
    expect(() => eventFromAttributes({ ...stored, data: '{' })).toThrow(CorruptEventError);
  });
});
