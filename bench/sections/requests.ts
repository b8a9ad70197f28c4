/* eslint-disable max-lines -- predates the file size cap; split by responsibility when next changed */
import { GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { CommandHandler, EventStore } from '../../functions/eventsourcing';
import { itemBytes } from '../../functions/eventsourcing/item-size';
import { castoreDepositCommand, seedCastoreAggregate } from '../castore';
import type { BenchEnvironment } from '../environment';
import { countRequests, readUnits, writeUnits, type CountedRequest } from '../request-counter';
import { SNAPSHOT_INTERVAL, frameworkStores, seedSnapshot, seedStream } from '../seed';
import type { BenchSettings } from '../settings';
import { spread, type Spread } from '../stats';
import { EVENT_METADATA, benchEvents, depositEvent } from '../workload';

/** Requests and capacity of one operation, next to the least any store could spend on it. */
export interface RequestsResult {
  readonly operation: string;
  readonly description: string;
  /** The requests one run sent, in order (identical in every run unless `requests` varies). */
  readonly requestSequence: readonly string[];
  readonly requests: Spread;
  readonly reported: { readonly read: Spread; readonly write: Spread };
  readonly byRules: { readonly read: Spread; readonly write: Spread };
  readonly minimum: {
    readonly requests: number;
    readonly read: number;
    readonly write: number;
    readonly why: string;
  };
}

interface Case {
  readonly operation: string;
  readonly description: string;
  /** Prepares a fresh stream for run `run` and returns the measured call. */
  readonly prepare: (run: number) => Promise<() => Promise<unknown>>;
  readonly minimum: (sizes: ItemSizes) => RequestsResult['minimum'];
}

export interface ItemSizes {
  /** Bytes of one deposit event item as the framework stores it. */
  readonly event: number;
  /** Bytes of one deposit event item as Castore stores it. */
  readonly castoreEvent: number;
  /** Bytes of the account snapshot item. */
  readonly snapshot: number;
}

const LOAD_LENGTH = 100;
const COMMAND_LENGTH = 10;
const SNAPSHOT_TAIL = 5;

function cases(env: BenchEnvironment): Case[] {
  const stores = frameworkStores(env.client, env.tables);
  const stream = (name: string, run: number) => `requests-${name}-${run}`;
  const plainHandler = new CommandHandler(stores.withoutSnapshots);
  const snapshotHandler = new CommandHandler(stores.withSnapshots);
  const castoreCommand = castoreDepositCommand(env.castore);
  const deposit = { type: 'deposit', amount: 100 } as const;

  return [
    {
      operation: 'Load, no snapshot',
      description: `aggregate load of a ${LOAD_LENGTH}-event stream, no snapshots configured`,
      prepare: async (run) => {
        const id = stream('load', run);
        await seedStream(stores.store, id, LOAD_LENGTH);
        return () => stores.withoutSnapshots.load(id);
      },
      minimum: ({ event }) => ({
        requests: 1,
        read: readUnits(LOAD_LENGTH * event),
        write: 0,
        why: 'one strongly consistent Query of the whole stream',
      }),
    },
    {
      operation: 'Load, snapshot',
      description: `aggregate load of a ${LOAD_LENGTH}-event stream from a snapshot ${SNAPSHOT_TAIL} events behind the head`,
      prepare: async (run) => {
        const id = stream('load-snapshot', run);
        await seedStream(stores.store, id, LOAD_LENGTH);
        await seedSnapshot(stores, id, LOAD_LENGTH - SNAPSHOT_TAIL);
        return () => stores.withSnapshots.load(id);
      },
      minimum: ({ event, snapshot }) => ({
        requests: 2,
        read: readUnits(snapshot) + readUnits(SNAPSHOT_INTERVAL * event),
        write: 0,
        why: 'GetItem of the snapshot (its own table) and a backward Query of the latest events, side by side',
      }),
    },
    {
      operation: 'Command, 1 event',
      description: `CommandHandler.handle on a ${COMMAND_LENGTH}-event stream, no snapshots configured`,
      prepare: async (run) => {
        const id = stream('command', run);
        await seedStream(stores.store, id, COMMAND_LENGTH);
        return () => plainHandler.handle(id, deposit, { metadata: EVENT_METADATA });
      },
      minimum: ({ event }) => ({
        requests: 2,
        read: readUnits(COMMAND_LENGTH * event),
        write: writeUnits(event),
        why: 'Query of the stream, one conditional PutItem',
      }),
    },
    {
      operation: 'Command, 1 event, snapshot',
      description: `CommandHandler.handle on a ${LOAD_LENGTH}-event stream with a snapshot ${SNAPSHOT_TAIL} events behind`,
      prepare: async (run) => {
        const id = stream('command-snapshot', run);
        await seedStream(stores.store, id, LOAD_LENGTH);
        await seedSnapshot(stores, id, LOAD_LENGTH - SNAPSHOT_TAIL);
        return () => snapshotHandler.handle(id, deposit, { metadata: EVENT_METADATA });
      },
      minimum: ({ event, snapshot }) => ({
        requests: 3,
        read: readUnits(snapshot) + readUnits(SNAPSHOT_INTERVAL * event),
        write: writeUnits(event),
        why: 'GetItem of the snapshot and Query of the latest events side by side, one conditional PutItem',
      }),
    },
    {
      operation: 'Command, 10 events',
      description: `CommandHandler.handle deciding 10 events on a ${COMMAND_LENGTH}-event stream`,
      prepare: async (run) => {
        const id = stream('command-10', run);
        await seedStream(stores.store, id, COMMAND_LENGTH);
        return () =>
          plainHandler.handle(
            id,
            { type: 'depositMany', count: 10, amount: 100 },
            { metadata: EVENT_METADATA },
          );
      },
      minimum: ({ event }) => ({
        requests: 2,
        read: readUnits(COMMAND_LENGTH * event),
        write: 10 * 2 * writeUnits(event),
        why: 'Query of the stream, one TransactWriteItems of 10 puts (atomic: 2 units per KB per item)',
      }),
    },
    {
      operation: 'Append at an unseen version',
      description:
        'EventStore.append with an exact expected version this process has never read (a cold start that skips the load)',
      prepare: async (run) => {
        const id = stream('cold-append', run);
        await seedStream(stores.store, id, COMMAND_LENGTH);
        const cold = new EventStore({
          client: env.client,
          tableName: env.tables.events,
          catalogue: benchEvents,
        });
        return () =>
          cold.append(id, [depositEvent(100)], {
            expectedVersion: COMMAND_LENGTH,
            metadata: EVENT_METADATA,
          });
      },
      minimum: ({ event }) => ({
        requests: 1,
        read: 0,
        write: writeUnits(event),
        why: 'one conditional PutItem, if a hole in the stream were acceptable (the framework rules holes out with a GetItem)',
      }),
    },
    {
      operation: 'Castore: load',
      description: `Castore getAggregate of a ${LOAD_LENGTH}-event aggregate (Castore has no snapshots)`,
      prepare: async (run) => {
        const id = stream('castore-load', run);
        await seedCastoreAggregate(env.castore, id, LOAD_LENGTH);
        return () => env.castore.getAggregate(id);
      },
      minimum: ({ castoreEvent }) => ({
        requests: 1,
        read: readUnits(LOAD_LENGTH * castoreEvent),
        write: 0,
        why: 'one strongly consistent Query of the whole stream',
      }),
    },
    {
      operation: 'Castore: command, 1 event',
      description: `Castore Command (getAggregate + pushEvent) on a ${COMMAND_LENGTH}-event aggregate`,
      prepare: async (run) => {
        const id = stream('castore-command', run);
        await seedCastoreAggregate(env.castore, id, COMMAND_LENGTH);
        return () => castoreCommand.handler({ aggregateId: id, amount: 100 }, [env.castore]);
      },
      minimum: ({ castoreEvent }) => ({
        requests: 2,
        read: readUnits(COMMAND_LENGTH * castoreEvent),
        write: writeUnits(castoreEvent),
        why: 'Query of the stream, one conditional PutItem',
      }),
    },
  ];
}

async function storedItemBytes(
  env: BenchEnvironment,
  tableName: string,
  key: Record<string, AttributeValue>,
): Promise<number> {
  const { Item } = await env.client.send(new GetItemCommand({ TableName: tableName, Key: key }));
  if (!Item) throw new Error(`no item at ${JSON.stringify(key)} in ${tableName}`);
  return itemBytes(Item);
}

async function itemSizes(env: BenchEnvironment): Promise<ItemSizes> {
  const { store, snapshotStore } = frameworkStores(env.client, env.tables);
  await seedStream(store, 'requests-sizes', 1);
  await seedCastoreAggregate(env.castore, 'requests-sizes', 2);
  const snapshot = await snapshotStore.get('requests-load-snapshot-0');
  if (!snapshot) throw new Error('the snapshot case left no snapshot');
  return {
    event: await storedItemBytes(env, env.tables.events, {
      streamId: { S: 'requests-sizes' },
      version: { N: '1' },
    }),
    // Version 2: Castore's first event also carries the index attribute.
    castoreEvent: await storedItemBytes(env, env.castoreTable, {
      aggregateId: { S: 'accounts#requests-sizes' },
      version: { N: '2' },
    }),
    snapshot: itemBytes(marshall(snapshot, { removeUndefinedValues: true })),
  };
}

const sum = (
  requests: readonly CountedRequest[],
  kind: 'read' | 'write',
  pick: (r: CountedRequest) => number | undefined,
) => requests.filter((r) => r.kind === kind).reduce((total, r) => total + (pick(r) ?? 0), 0);

/** Section 2: every request of each operation counted by an SDK middleware, several runs. */
export async function measureRequests(
  env: BenchEnvironment,
  settings: BenchSettings,
): Promise<{ sizes: ItemSizes; operations: RequestsResult[] }> {
  const all = cases(env);
  const runs = new Map<Case, CountedRequest[][]>(all.map((c) => [c, []]));
  for (let run = 0; run < settings.capacityRuns; run++) {
    for (const testCase of all) {
      const call = await testCase.prepare(run);
      const counted = countRequests(env.client, { returnConsumedCapacity: true });
      try {
        await call();
      } finally {
        counted.stop();
      }
      runs.get(testCase)!.push(counted.requests);
    }
  }
  const sizes = await itemSizes(env);
  const operations = all.map((testCase): RequestsResult => {
    const perRun = runs.get(testCase)!;
    const over = (value: (requests: CountedRequest[]) => number) => spread(perRun.map(value));
    return {
      operation: testCase.operation,
      description: testCase.description,
      requestSequence: perRun[0]!.map((r) => r.command.replace(/Command$/, '')),
      requests: over((requests) => requests.length),
      reported: {
        read: over((requests) => sum(requests, 'read', (r) => r.reportedCapacity)),
        write: over((requests) => sum(requests, 'write', (r) => r.reportedCapacity)),
      },
      byRules: {
        read: over((requests) => sum(requests, 'read', (r) => r.capacityByRules)),
        write: over((requests) => sum(requests, 'write', (r) => r.capacityByRules)),
      },
      minimum: testCase.minimum(sizes),
    };
  });
  return { sizes, operations };
}
