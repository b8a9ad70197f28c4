import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AggregateRepository,
  EventStore,
  SnapshotStore,
  everyNEvents,
  type Snapshot,
} from '../../functions/eventsourcing';
import { counter, type CounterState } from '../support/counter';
import { createTestTables, type TestTables } from '../support/dynamodb';
import { counterEvents } from '../support/test-events';

/** Events a load reads beside the snapshot: the strategy's interval. */
const WINDOW = 10;

let tables: TestTables;
let streamCounter = 0;
const newStreamId = () => `loads-${Date.now()}-${++streamCounter}`;
const newStore = () =>
  new EventStore({
    client: tables.client,
    tableName: tables.names.events,
    catalogue: counterEvents,
  });
const snapshotStore = () => new SnapshotStore(tables.client, tables.names.snapshots);
const withSnapshots = (snapshots: SnapshotStore = snapshotStore()) =>
  new AggregateRepository(newStore(), counter, {
    store: snapshots,
    strategy: everyNEvents(WINDOW),
    stateVersion: 1,
  });

beforeAll(async () => {
  tables = await createTestTables();
});

/** Appends `count` increments of 1 after `from`, at most `perAppend` per transaction. */
async function increments(streamId: string, count: number, from = 0, perAppend = 100) {
  const store = newStore();
  for (let done = 0; done < count; done += perAppend) {
    const size = Math.min(perAppend, count - done);
    const events = Array.from({ length: size }, () => ({ type: 'Incremented', data: { by: 1 } }));
    await store.append(streamId, events, { expectedVersion: from + done });
  }
}

/** Saves the snapshot a strategy would have taken at `version` (or a forged state). */
async function snapshotAt(streamId: string, version: number, override?: Partial<Snapshot>) {
  const loaded = await new AggregateRepository(newStore(), counter).load(streamId, { version });
  await snapshotStore().save({
    streamId,
    version,
    state: loaded.state,
    stateVersion: 1,
    takenAt: new Date().toISOString(),
    eventRecordedAt: loaded.lastRecordedAt!,
    ...override,
  });
}

/**
 * Runs `body` and tells how many round trips its DynamoDB requests took: requests sent before
 * any earlier one came back share a round trip.
 */
async function roundTrips<T>(client: DynamoDBClient, body: () => Promise<T>) {
  const name = `round-trips-${++streamCounter}`;
  const trips: string[][] = [];
  let inFlight = 0;
  let lastTripOpen = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!lastTripOpen) trips.push([]);
      lastTripOpen = true;
      trips.at(-1)!.push(context.commandName ?? 'unknown');
      inFlight += 1;
      try {
        return await next(args);
      } finally {
        inFlight -= 1;
        lastTripOpen = false;
      }
    },
    { step: 'initialize', name },
  );
  try {
    const result = await body();
    expect(inFlight).toBe(0);
    return { result, trips };
  } finally {
    client.middlewareStack.remove(name);
  }
}

const expectCounted = (state: CounterState, version: number) =>
  expect(state).toEqual({ value: version, operations: version });

describe('a load with snapshots configured', () => {
  it('reads a short stream without a snapshot in one round trip', async () => {
    const streamId = newStreamId();
    await increments(streamId, 7);
    const repository = withSnapshots();
    const { result, trips } = await roundTrips(tables.client, () => repository.load(streamId));
    expect(trips).toEqual([expect.arrayContaining(['GetItemCommand', 'QueryCommand'])]);
    expect(result).toMatchObject({ version: 7, eventsRead: 7, snapshot: undefined });
    expectCounted(result.state, 7);
  });

  it('reads a snapshot within the window and the tail side by side, in one round trip', async () => {
    const streamId = newStreamId();
    await increments(streamId, 30);
    await snapshotAt(streamId, 25);
    const repository = withSnapshots();
    const { result, trips } = await roundTrips(tables.client, () => repository.load(streamId));
    expect(trips).toHaveLength(1);
    expect(trips[0]!.sort()).toEqual(['GetItemCommand', 'QueryCommand']);
    expect(result).toMatchObject({ version: 30, eventsRead: 5 });
    expect(result.snapshot?.version).toBe(25);
    expectCounted(result.state, 30);
    expect(result.lastEvent?.eventId).toMatch(/^[0-9A-Z]{26}$/);
  });

  it('uses a snapshot at the head without folding anything', async () => {
    const streamId = newStreamId();
    await increments(streamId, 20);
    await snapshotAt(streamId, 20);
    const { result, trips } = await roundTrips(tables.client, () => withSnapshots().load(streamId));
    expect(trips).toHaveLength(1);
    expect(result).toMatchObject({ version: 20, eventsRead: 0, lastEvent: undefined });
    expectCounted(result.state, 20);
  });

  it('reads the events between a snapshot older than the window and the window next', async () => {
    const streamId = newStreamId();
    await increments(streamId, 40);
    await snapshotAt(streamId, 12);
    const { result, trips } = await roundTrips(tables.client, () => withSnapshots().load(streamId));
    expect(trips).toHaveLength(2);
    expect(trips[1]).toEqual(['QueryCommand']);
    expect(result).toMatchObject({ version: 40, eventsRead: 28 });
    expect(result.snapshot?.version).toBe(12);
    expectCounted(result.state, 40);
  });

  it('reads the head of a longer stream without a snapshot after the window', async () => {
    const streamId = newStreamId();
    await increments(streamId, 25);
    const { result, trips } = await roundTrips(tables.client, () => withSnapshots().load(streamId));
    expect(trips).toHaveLength(2);
    expect(result).toMatchObject({ version: 25, eventsRead: 25, snapshot: undefined });
    expectCounted(result.state, 25);
  });

  it('ignores a snapshot of another state version, wherever it stands', async () => {
    for (const [length, at] of [
      [30, 25],
      [40, 12],
    ] as const) {
      const streamId = newStreamId();
      await increments(streamId, length);
      // A state no fold could produce: using it would show.
      await snapshotAt(streamId, at, { stateVersion: 2, state: { value: -1000, operations: 0 } });
      const result = await withSnapshots().load(streamId);
      expect(result).toMatchObject({ version: length, eventsRead: length, snapshot: undefined });
      expectCounted(result.state, length);
    }
  });

  it('reads an empty stream as the initial state', async () => {
    const { result, trips } = await roundTrips(tables.client, () =>
      withSnapshots().load(newStreamId()),
    );
    expect(trips).toHaveLength(1);
    expect(result).toMatchObject({ version: 0, eventsRead: 0, state: counter.initialState });
  });

  it('loads a consistent state while transactions append and snapshots are taken', async () => {
    const streamId = newStreamId();
    await increments(streamId, 5);
    let head = 5;
    let writing = true;
    const writer = (async () => {
      // Three events per transaction: a load can observe a transaction half committed.
      while (head < 150) {
        await increments(streamId, 3, head, 3);
        head += 3;
        if (head % 12 === 2) await snapshotAt(streamId, head - 1);
      }
      writing = false;
    })();
    const loads: number[] = [];
    const loader = async () => {
      const repository = withSnapshots();
      while (writing) {
        const loaded = await repository.load(streamId);
        expectCounted(loaded.state, loaded.version);
        loads.push(loaded.version);
      }
    };
    await Promise.all([writer, loader(), loader(), loader()]);
    expect(loads.length).toBeGreaterThan(10);
    expect(new Set(loads).size).toBeGreaterThan(3);
  });

  it('stays consistent when a newer snapshot lands while the tail is read', async () => {
    const streamId = newStreamId();
    await increments(streamId, 20);
    // The snapshot read is slowed until events and a snapshot past them have landed.
    class RacingSnapshots extends SnapshotStore {
      override async get<State>(id: string): Promise<Snapshot<State> | undefined> {
        await increments(streamId, 4, 20, 4);
        await snapshotAt(streamId, 24);
        return super.get<State>(id);
      }
    }
    const loaded = await withSnapshots(
      new RacingSnapshots(tables.client, tables.names.snapshots),
    ).load(streamId);
    expect(loaded.version).toBe(24);
    expect(loaded.snapshot?.version).toBe(24);
    expectCounted(loaded.state, 24);
  });

  it('loads what a load without snapshots loads, at every snapshot position', async () => {
    const streamId = newStreamId();
    await increments(streamId, 35);
    const plain = await new AggregateRepository(newStore(), counter).load(streamId);
    for (const at of [1, 9, 24, 25, 26, 34, 35]) {
      await snapshotAt(streamId, at);
      const loaded = await withSnapshots().load(streamId);
      expect({ state: loaded.state, version: loaded.version }).toEqual({
        state: plain.state,
        version: plain.version,
      });
      expect(loaded.eventsRead).toBe(35 - at);
    }
  });
});
