import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventStore, type CorruptEventError } from '../../functions/eventsourcing';
import {
  GlobalLogIndexer,
  GlobalLogReader,
  IndexerParking,
  TableCheckpoint,
  TableParking,
  type SubscriptionCheckpoint,
  type SubscriptionParking,
} from '../../functions/eventsourcing/global-log';
import { findCorruptEvents } from '../../functions/eventsourcing/operator';
import type { ConsumerHost, ConsumerRuntime } from '../../functions/eventsourcing/hosts';
import { domainEvents } from '../../functions/domain-events';
import { GLOBAL_LOG_INDEXER } from '../../functions/infrastructure';
import {
  functions,
  streamHosts,
  tables as declaredTables,
  type TableKey,
} from '../../functions/system';
import {
  destroyDataKey,
  personalDataFromEnv,
  SubjectErasure,
} from '../../functions/eventsourcing/personal';

/** The read-model tables, whose sealed values an erasure scrubs. */
const readModelKeys = (Object.keys(declaredTables) as TableKey[]).filter(
  (key) => 'readModel' in declaredTables[key],
);
import { loadFunctionHandler } from '../../functions/eventsourcing/declaration';
import type { CommandIo } from '../cli-support';
import { domainFoldOf, type StreamFold } from './deciders';
import { archiveSourceOf, historyTools, type HistoryTools } from './history-target';
import { streamState, type StreamState } from '../../functions/eventsourcing/archive';
import { TargetError, type FailureRecordsTarget, type Target } from './target';
import { FailureDirectory, type FailureRecordStore } from '../failure-destination';
import { S3FailureRecords } from '../s3-failure-records';
import { streamsRecordedBetween } from './recorded-streams';
import { createS3Client } from '../../functions/eventsourcing/aws';
import { processEvents } from '../../functions/eventsourcing/process-manager';
import { processesOf } from '../../functions/eventsourcing/process-manager/grants';
import { ProcessInstances } from './process-instances';

/** Where a command's output goes: lines for people, or one JSON document for scripts. */
export interface EsIo extends CommandIo {
  readonly json: boolean;
}

/** What every command works on: the tables of one stack, local or deployed. */
export interface EsContext {
  readonly io: EsIo;
  readonly log: GlobalLogReader;
  /** The log with events as stored: a rebuilt projection upcasts and parses them itself. */
  readonly rawLog: GlobalLogReader;
  /** The events table, parsing every event with the domains' catalogue. */
  readonly store: EventStore;
  readonly indexer: GlobalLogIndexer;
  /** The indexer's parked streams (streams with a hole), in the parked-streams table. */
  readonly indexerParking: IndexerParking;
  readonly eventsTable: string;
  /** Whether a stream is closed, and how much of it is archived. */
  readonly streamState: (streamId: string) => Promise<StreamState>;
  /** Every consumer of every declared stream host, by name. */
  readonly consumers: () => Promise<ReadonlyMap<string, ConsumerRuntime>>;
  readonly corruptEvents: () => AsyncIterable<CorruptEventError>;
  readonly checkpoint: (name: string) => SubscriptionCheckpoint;
  /** The decider fold of a stream, by its id. */
  readonly foldOf: (streamId: string) => StreamFold | undefined;
  /** The sealer and verifier of the stack's history; `TargetError` when it has none. */
  readonly history: () => HistoryTools;
  /** Erases data subjects from every context. */
  readonly erasure: () => SubjectErasure;
  /** Where a subscription of that name parks what its handler keeps failing on. */
  readonly parking: (name: string) => SubscriptionParking;
  /** The stream hosts' on-failure records; `TargetError` when the stack has none. */
  readonly failureRecords: () => FailureRecordStore;
  /** The streams with an event recorded in the time span (ISO-8601), from the events table. */
  readonly streamsRecordedBetween: (from: string, to: string) => Promise<string[]>;
  /** The instances of the declared process managers. */
  readonly processes: ProcessInstances;
}

/**
 * Consumers as the stream hosts build them. The hosts read their tables from the process
 * environment (TABLE_*), as in Lambda: the target must be set there first.
 */
export async function declaredConsumers(): Promise<Map<string, ConsumerRuntime>> {
  const consumers = new Map<string, ConsumerRuntime>();
  for (const key of Object.keys(streamHosts) as (keyof typeof streamHosts)[]) {
    const host = await loadFunctionHandler<ConsumerHost>(functions[key]);
    for (const [name, runtime] of host.runtimes()) consumers.set(name, runtime);
  }
  return consumers;
}

/** The context of the system's own tables, through `client`. */
export function systemContext(
  client: DynamoDBClient,
  tables: Readonly<Record<TableKey, string>>,
  io: EsIo,
  { history, failureRecords }: Pick<Target, 'history' | 'failureRecords'> = {},
): EsContext {
  const logTables = { globalLog: tables.globalLog, events: tables.events };
  const personalData = personalDataFromEnv(client);
  const archive = archiveSourceOf(history);
  let consumers: Promise<Map<string, ConsumerRuntime>> | undefined;
  return {
    io,
    log: new GlobalLogReader({
      client,
      tables: logTables,
      catalogue: domainEvents,
      archive,
      ...(personalData ? { personalData } : {}),
    }),
    rawLog: new GlobalLogReader({ client, tables: logTables, archive }),
    store: new EventStore({
      client,
      tableName: tables.events,
      catalogue: domainEvents,
      archive,
      ...(personalData ? { personalData } : {}),
    }),
    streamState: (streamId) => streamState(client, tables.events, streamId),
    indexer: new GlobalLogIndexer({ client, tables: logTables }),
    indexerParking: new IndexerParking({
      client,
      tableName: tables.parkedStreams,
      consumer: GLOBAL_LOG_INDEXER,
    }),
    eventsTable: tables.events,
    consumers: () => (consumers ??= declaredConsumers()),
    corruptEvents: () => findCorruptEvents(client, tables.events, domainEvents),
    checkpoint: (name) => new TableCheckpoint(client, tables.subscriptionCheckpoints, name),
    parking: (name) => new TableParking(client, tables.subscriptionCheckpoints, name),
    failureRecords: () => failureRecordStore(failureRecords),
    streamsRecordedBetween: (from, to) => streamsRecordedBetween(client, tables.events, from, to),
    foldOf: domainFoldOf,
    processes: new ProcessInstances({
      client,
      eventsTable: tables.events,
      store: new EventStore({
        client,
        tableName: tables.events,
        catalogue: processEvents.catalogue,
        archive,
      }),
      processes: processesOf(streamHosts.reactions.consumers).map(({ process }) => process),
    }),
    erasure: () =>
      new SubjectErasure({
        client,
        keys: { destroy: (subject, at) => destroyDataKey(client, tables.dataKeys, subject, at) },
        catalogue: domainEvents,
        tables: {
          events: tables.events,
          snapshots: tables.snapshots,
          readModels: Object.fromEntries(readModelKeys.map((key) => [key, tables[key]])),
        },
      }),
    history: () => {
      if (!history) {
        throw new TargetError(
          'This stack keeps no checkpoints (no CheckpointsBucketName output): deploy this version first.',
        );
      }
      return historyTools(client, tables, history);
    },
  };
}

/** The store of a target's on-failure records. */
function failureRecordStore(target: FailureRecordsTarget | undefined): FailureRecordStore {
  if (!target) {
    throw new TargetError(
      'This stack keeps no on-failure records (no FailureRecordsBucketName output): it has no stream hosts, or predates them.',
    );
  }
  return 'directory' in target
    ? new FailureDirectory(target.directory)
    : new S3FailureRecords(createS3Client({}), target.bucket);
}
