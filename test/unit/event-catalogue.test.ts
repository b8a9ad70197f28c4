import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  CorruptEventError,
  EventCatalogue,
  type RecordedEvent,
} from '../../functions/eventsourcing';

describe('event catalogue', () => {
  const accounts = EventCatalogue.of(
    {
      Opened: z.object({ owner: z.string() }),
      Deposited: z.object({ amount: z.int().positive() }),
    },
    // Deposited v1 stored cents as a string.
    { Deposited: { 1: (data) => ({ amount: Number(data.cents) }) } },
  );
  const stored = (type: string, data: object, schemaVersion = 1): RecordedEvent => ({
    streamId: 's-1',
    version: 4,
    eventId: 'e-4',
    type,
    schemaVersion,
    data: { ...data },
    metadata: {},
    recordedAt: '2026-01-01T00:00:00.000Z',
  });

  it('upcasts, then parses a stored event into its typed form', () => {
    const event = accounts.parse(stored('Deposited', { cents: '250' }));
    expect(event).toMatchObject({ type: 'Deposited', schemaVersion: 2, data: { amount: 250 } });
  });

  it('names stream, version and field of a stored event that does not fit', () => {
    const outcomes = [
      accounts.tryParse(stored('Deposited', { cents: 'lots' })),
      accounts.tryParse(stored('Deposited', { amount: -1 }, 2)),
      accounts.tryParse(stored('Deposited', { amount: 5 }, 7)),
      accounts.tryParse(stored('Frozen', {})),
    ];
    expect(outcomes.map(({ error }) => error?.field)).toEqual([
      'data.amount',
      'data.amount',
      'schemaVersion',
      'type',
    ]);
    expect(outcomes[0]!.error).toBeInstanceOf(CorruptEventError);
    expect(outcomes[0]!.error).toMatchObject({ streamId: 's-1', version: 4, eventId: 'e-4' });
    expect(() => accounts.parse(stored('Frozen', {}))).toThrow(CorruptEventError);
  });

  it('checks new events before they are stored, at the current schema version', () => {
    expect(accounts.toStore({ type: 'Deposited', data: { amount: 3 } }, 0)).toEqual({
      data: { amount: 3 },
      schemaVersion: 2,
    });
    expect(() => accounts.toStore({ type: 'Deposited', data: { amount: 0 } }, 2)).toThrow(
      expect.objectContaining({ code: 'InvalidEvent', field: 'events[2].data.amount' }),
    );
    expect(() =>
      accounts.toStore({ type: 'Deposited', data: { cents: '1' }, schemaVersion: 1 }, 0),
    ).toThrow(expect.objectContaining({ field: 'events[0].schemaVersion' }));
    expect(() => accounts.toStore({ type: 'Closed', data: {} }, 0)).toThrow(
      expect.objectContaining({ field: 'events[0].type' }),
    );
  });

  it('combines catalogues, refusing a type declared twice', () => {
    const orders = EventCatalogue.of({ Placed: z.object({}) });
    const both = EventCatalogue.combine(accounts, orders);
    expect(both.types).toEqual(['Opened', 'Deposited', 'Placed']);
    expect(both.currentVersion('Deposited')).toBe(2);
    expect(() => EventCatalogue.combine(accounts, accounts)).toThrow(/declared twice/);
    expect(() =>
      EventCatalogue.of({ A: z.object({}) }, {
        B: { 1: (d: Record<string, unknown>) => d },
      } as never),
    ).toThrow(/no schema/);
  });
});
