import { describe, expect, it } from 'vitest';
import { UpcastError, type RecordedEvent } from '../../functions/eventsourcing';
import { Upcasters } from '../../functions/eventsourcing/upcasting';

describe('upcasters', () => {
  const event = (schemaVersion: number, data: Record<string, unknown>): RecordedEvent => ({
    streamId: 's',
    version: 1,
    eventId: 'e',
    type: 'Moved',
    schemaVersion,
    data,
    metadata: {},
    recordedAt: '2026-01-01T00:00:00.000Z',
  });
  const upcasters = new Upcasters({
    Moved: { 1: (d) => ({ ...d, unit: 'm' }), 2: (d) => ({ meters: d.distance, unit: d.unit }) },
  });

  it('chains from any older version to the current one', () => {
    expect(upcasters.currentVersion('Moved')).toBe(3);
    expect(upcasters.currentVersion('Other')).toBe(1);
    expect(upcasters.upcast(event(1, { distance: 5 }))).toMatchObject({
      schemaVersion: 3,
      data: { meters: 5, unit: 'm' },
    });
    expect(upcasters.upcast(event(2, { distance: 7, unit: 'km' })).data).toEqual({
      meters: 7,
      unit: 'km',
    });
    const current = event(3, { meters: 1, unit: 'm' });
    expect(upcasters.upcast(current)).toBe(current);
  });

  it('combines the upcasters of several domains, refusing a type declared twice', () => {
    const other = new Upcasters({ Turned: { 1: (d) => d } });
    const combined = Upcasters.combine(upcasters, other);
    expect(combined.currentVersion('Moved')).toBe(3);
    expect(combined.currentVersion('Turned')).toBe(2);
    expect(combined.upcast(event(1, { distance: 5 })).data).toEqual({ meters: 5, unit: 'm' });
    expect(() => Upcasters.combine(upcasters, upcasters)).toThrow(/'Moved'.*twice/);
  });

  it('fails with a typed error when the chain has a hole', () => {
    const holed = new Upcasters({ Moved: { 1: (d) => d, 3: (d) => d } });
    expect(() => holed.upcast(event(2, {}))).toThrow(UpcastError);
  });
});
