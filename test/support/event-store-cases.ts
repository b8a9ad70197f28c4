import type { EventStreamStore, NewEvent } from '../../functions/eventsourcing';

/** What the contract needs of one storage, past the store itself. */
export interface EventStoreHarness {
  /**
   * A new store on the same events, as another Lambda container would open one: with the
   * catalogue `storeTestEvents`, or without any (`raw`).
   */
  newStore(options?: { raw?: boolean }): EventStreamStore;
  /** The versions stored for a stream, read past the store so its checks cannot hide holes. */
  storedVersions(streamId: string): Promise<number[]>;
  /** Writes an event as stored, past every check of the store (a bad deploy, a manual fix). */
  putStored(event: {
    streamId: string;
    version: number;
    type: string;
    data: Record<string, unknown>;
  }): Promise<void>;
}

/** A contract test's view of the storage under test. */
export type Context = () => { harness: EventStoreHarness; store: EventStreamStore };

export const events = (count: number, type = 'Happened'): NewEvent[] =>
  Array.from({ length: count }, (_, i) => ({ type, data: { n: i + 1 } }));

export const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

let streamCounter = 0;
export const newStreamId = () => `contract-${Date.now()}-${++streamCounter}`;

/** Appends every store refuses before writing anything, and the field each error names. */
export const invalidAppends: [string, (store: EventStreamStore) => Promise<unknown>, string][] = [
  [
    'empty stream id',
    (store) => store.append('', events(1), { expectedVersion: 'any' }),
    'streamId',
  ],
  [
    'control characters in the stream id',
    (store) => store.append('a\nb', events(1), { expectedVersion: 'any' }),
    'streamId',
  ],
  ['no events', (store) => store.append('s', [], { expectedVersion: 'any' }), 'events'],
  [
    'an empty event type',
    (store) => store.append('s', [{ type: '', data: {} }], { expectedVersion: 'any' }),
    'events[0].type',
  ],
  [
    'data that is not an object',
    (store) =>
      store.append('s', [{ type: 'A', data: [1] as unknown as Record<string, unknown> }], {
        expectedVersion: 'any',
      }),
    'events[0].data',
  ],
  [
    'a number that is not finite',
    (store) => store.append('s', [{ type: 'A', data: { n: NaN } }], { expectedVersion: 'any' }),
    'events[0].data.n',
  ],
  [
    'an integer beyond 2^53',
    (store) => store.append('s', [{ type: 'A', data: { n: 2 ** 60 } }], { expectedVersion: 'any' }),
    'events[0].data.n',
  ],
  [
    'a number beyond DynamoDB range, deep inside',
    (store) =>
      store.append('s', [{ type: 'A', data: { list: [{ n: 1e300 }] } }], {
        expectedVersion: 'any',
      }),
    'events[0].data.list[0].n',
  ],
  [
    'a negative expected version',
    (store) => store.append('s', events(1), { expectedVersion: -1 }),
    'expectedVersion',
  ],
  [
    'a schema version of zero',
    (store) =>
      store.append('s', [{ type: 'A', data: {}, schemaVersion: 0 }], { expectedVersion: 'any' }),
    'events[0].schemaVersion',
  ],
];

/** Events the store tests' catalogue refuses, and the field each error names. */
export const eventsOutsideTheCatalogue: [string, NewEvent, string][] = [
  ['an unknown event type', { type: 'Vanished', data: {} }, 'events[0].type'],
  ['data that fails its schema', { type: 'Happened', data: { n: 'lots' } }, 'events[0].data.n'],
  ['a missing field', { type: 'Opened', data: {} }, 'events[0].data.owner'],
  [
    'a schema version that is not the current one',
    { type: 'Happened', data: { n: 1 }, schemaVersion: 2 },
    'events[0].schemaVersion',
  ],
];
