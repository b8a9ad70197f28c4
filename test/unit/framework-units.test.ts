/* eslint-disable max-lines -- one suite per component; its cases share the fixtures at the top */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  CorruptEventError,
  EventCatalogue,
  everyNEvents,
  hybrid,
  timeBased,
  UpcastError,
  type RecordedEvent,
} from '../../functions/eventsourcing';
import { eventFromItem, eventItem } from '../../functions/eventsourcing/event-items';
import { retryWithBackoff } from '../../functions/eventsourcing/retry';
import { Upcasters } from '../../functions/eventsourcing/upcasting';
import { eventFromAttributes, readEventItem } from '../../functions/eventsourcing/event-items';
import { itemBytes } from '../../functions/eventsourcing/item-size';
import { backoffDelay } from '../../functions/eventsourcing/retry';
import { KnownVersions } from '../../functions/eventsourcing/known-versions';
import { callerOf, requireOwner } from '../../functions/eventsourcing/http';
import { groupsOf } from '../../functions/eventsourcing/http/caller';

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

describe('callers', () => {
  const event = (authorizer: unknown) =>
    ({ requestContext: { authorizer } }) as unknown as APIGatewayProxyEventV2;
  const settings = { operatorGroup: 'ops', groupsClaim: 'groups' };

  it('takes the IAM caller ARN or the JWT subject, operators from the groups claim', () => {
    expect(callerOf(event({ iam: { userArn: 'arn:aws:iam::1:role/x' } }), settings)).toEqual({
      actor: 'arn:aws:iam::1:role/x',
      privileged: true,
    });
    expect(
      callerOf(event({ jwt: { claims: { sub: 'u1', groups: '[a ops]' } } }), settings),
    ).toEqual({ actor: 'u1', privileged: true });
    expect(callerOf(event({ jwt: { claims: { sub: 'u2', groups: 'opsx' } } }), settings)).toEqual({
      actor: 'u2',
      privileged: false,
    });
    expect(callerOf(event({ jwt: { claims: {} } }), settings)).toBeUndefined();
    expect(callerOf(event(undefined), settings)).toBeUndefined();
  });

  it('reads the groups API Gateway flattens, JSON arrays and comma lists', () => {
    expect(groupsOf('[operators auditors]')).toEqual(['operators', 'auditors']);
    expect(groupsOf('["operators","auditors"]')).toEqual(['operators', 'auditors']);
    expect(groupsOf('operators,auditors')).toEqual(['operators', 'auditors']);
    expect(groupsOf(['operators'])).toEqual(['operators']);
    expect(groupsOf(undefined)).toEqual([]);
  });

  it('lets a JWT caller act on its own resources only, unless privileged', () => {
    const owner = { actor: 'ann', privileged: false };
    expect(() => requireOwner(owner, 'ann', 'account')).not.toThrow();
    expect(() => requireOwner(owner, undefined, 'account')).not.toThrow();
    expect(() => requireOwner(owner, 'bob', 'account')).toThrow(
      expect.objectContaining({ status: 403, code: 'Forbidden' }),
    );
    expect(() => requireOwner({ actor: 'x', privileged: true }, 'bob', 'account')).not.toThrow();
  });
});

describe('retry backoff', () => {
  const policy = { maxAttempts: 10, baseDelayMs: 10, maxDelayMs: 300 };

  it('grows exponentially with full jitter up to the cap', () => {
    expect(backoffDelay(policy, 1, () => 0.999)).toBe(9);
    expect(backoffDelay(policy, 3, () => 0.999)).toBe(39);
    expect(backoffDelay(policy, 10, () => 0.999)).toBe(299);
    expect(backoffDelay(policy, 10, () => 0)).toBe(0);
  });

  it('starts no retry once the time budget is spent, and throws the last error', async () => {
    let now = 0;
    let attempts = 0;
    const error = await retryWithBackoff(
      { maxAttempts: 1000, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 1000 },
      (attempt) => {
        attempts = attempt;
        now += 100; // each attempt takes 100 ms of the budget
        return Promise.reject(new Error(`conflict ${attempt}`));
      },
      { retryable: () => true, now: () => now },
    ).catch((e: unknown) => e);
    expect(attempts).toBe(10);
    expect((error as Error).message).toBe('conflict 10');
  });

  it('stops at the attempt limit and at errors that are not retryable', async () => {
    const policy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 };
    let attempts = 0;
    await expect(
      retryWithBackoff(policy, () => Promise.reject(new Error(`try ${++attempts}`)), {
        retryable: () => true,
      }),
    ).rejects.toThrow('try 3');
    attempts = 0;
    await expect(
      retryWithBackoff(policy, () => Promise.reject(new Error(`try ${++attempts}`)), {
        retryable: () => false,
      }),
    ).rejects.toThrow('try 1');
    expect(
      await retryWithBackoff(
        policy,
        (attempt) => (attempt < 3 ? Promise.reject(new Error('again')) : Promise.resolve('done')),
        { retryable: () => true },
      ),
    ).toBe('done');
  });
});

describe('known versions', () => {
  it('remembers the highest version and evicts the least recently used stream', () => {
    const known = new KnownVersions(2);
    known.observe('a', 3);
    known.observe('a', 1);
    known.observe('b', 1);
    known.observe('a', 4);
    known.observe('c', 1);
    expect(known.get('a')).toBe(4);
    expect(known.get('b')).toBe(0);
    expect(known.get('c')).toBe(1);
  });
});
