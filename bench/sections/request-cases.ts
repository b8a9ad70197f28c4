import { CommandHandler, EventStore } from '../../functions/eventsourcing';
import { castoreDepositCommand, seedCastoreAggregate } from '../castore';
import type { BenchEnvironment } from '../environment';
import { readUnits, writeUnits } from '../request-counter';
import { SNAPSHOT_INTERVAL, frameworkStores, seedSnapshot, seedStream } from '../seed';
import { EVENT_METADATA, benchEvents, depositEvent } from '../workload';
import type { ItemSizes } from './request-item-sizes';

/** Section 2's operations: each prepares a fresh stream per run and names the least it needs. */
/** The least any store could spend on an operation, and why. */
export interface RequestMinimum {
  readonly requests: number;
  readonly read: number;
  readonly write: number;
  readonly why: string;
}

export interface Case {
  readonly operation: string;
  readonly description: string;
  /** Prepares a fresh stream for run `run` and returns the measured call. */
  readonly prepare: (run: number) => Promise<() => Promise<unknown>>;
  readonly minimum: (sizes: ItemSizes) => RequestMinimum;
}

const LOAD_LENGTH = 100;
const COMMAND_LENGTH = 10;
const SNAPSHOT_TAIL = 5;

/** The stream a case writes in run `run`. */
export const requestStream = (name: string, run: number) => `requests-${name}-${run}`;

/** Every operation section 2 counts, the framework's and Castore's. */
export function cases(env: BenchEnvironment): Case[] {
  const stores = frameworkStores(env.client, env.tables);
  const plainHandler = new CommandHandler(stores.withoutSnapshots);
  const snapshotHandler = new CommandHandler(stores.withSnapshots);
  const castoreCommand = castoreDepositCommand(env.castore);
  const deposit = { type: 'deposit', amount: 100 } as const;

  return [
    {
      operation: 'Load, no snapshot',
      description: `aggregate load of a ${LOAD_LENGTH}-event stream, no snapshots configured`,
      prepare: async (run) => {
        const id = requestStream('load', run);
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
        const id = requestStream('load-snapshot', run);
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
        const id = requestStream('command', run);
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
        const id = requestStream('command-snapshot', run);
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
        const id = requestStream('command-10', run);
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
        const id = requestStream('cold-append', run);
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
        const id = requestStream('castore-load', run);
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
        const id = requestStream('castore-command', run);
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
