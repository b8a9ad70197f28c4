import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { interleave } from '../interleave';
import { timed } from '../load-generator';
import { countRequests } from '../request-counter';
import type { frameworkStores } from '../seed';
import { quantile } from '../stats';
import { countS3, s3Calls, type ServiceCalls } from './history-counters';
import { sequentialLoad } from './loads';

export const ARCHIVE_LOAD_SIDES = [
  'hot',
  'archivedWithSnapshot',
  'archivedSnapshotThenTail',
  'archivedWithoutSnapshot',
] as const;
export type ArchiveLoadSide = (typeof ARCHIVE_LOAD_SIDES)[number];

/** Loads of one kind: their times, and the requests one load sends. */
export interface ArchiveLoad {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly eventsRead: number;
  readonly dynamoDbRequests: number;
  /** The DynamoDB commands one load sends, by name. */
  readonly dynamoDbCommands: Readonly<Record<string, number>>;
  readonly s3: ServiceCalls['s3'];
}

/**
 * The streams loaded: all of `length` events, the archived ones with 1 to length-1 in S3, the
 * one with a snapshot at length-1 (loaded by both snapshot sides).
 */
export interface LoadedStreams {
  readonly length: number;
  readonly hot: string;
  readonly archivedWithSnapshot: string;
  readonly archivedWithoutSnapshot: string;
}

const byName = (commands: readonly string[]) =>
  commands.reduce<Record<string, number>>(
    (counts, command) => ({ ...counts, [command]: (counts[command] ?? 0) + 1 }),
    {},
  );

/**
 * Loads the same stream shape four ways, each repetition every side once in rotating order: hot
 * (every event in the table); archived with a snapshot at the last archived version, by the
 * repository (the snapshot and the latest events of its tail window read side by side) and as
 * the snapshot then the events after it; archived without a snapshot (the archived versions
 * come from S3). Each side is first loaded once alone, its requests counted.
 */
export async function measureArchiveLoads(
  clients: { readonly dynamoDb: DynamoDBClient; readonly s3: S3Client },
  stores: ReturnType<typeof frameworkStores>,
  streams: LoadedStreams,
  repetitions: number,
): Promise<Record<ArchiveLoadSide, ArchiveLoad>> {
  const load = async (side: ArchiveLoadSide) => {
    if (side === 'archivedSnapshotThenTail') {
      const version = await sequentialLoad(stores, streams.archivedWithSnapshot);
      if (version !== streams.length) throw new Error(`${side}: loaded version ${version}`);
      // The one event after the snapshot at length-1.
      return 1;
    }
    const repository =
      side === 'archivedWithSnapshot' ? stores.withSnapshots : stores.withoutSnapshots;
    const loaded = await repository.load(streams[side]);
    if (loaded.version !== streams.length || loaded.state.deposits !== streams.length) {
      throw new Error(`${side}: loaded version ${loaded.version} of ${streams.length}`);
    }
    return loaded.eventsRead;
  };
  const counted = async (side: ArchiveLoadSide) => {
    const dynamoDb = countRequests(clients.dynamoDb);
    const s3 = countS3(clients.s3);
    try {
      const eventsRead = await load(side);
      return { eventsRead, dynamoDb: dynamoDb.commands, s3: s3Calls(s3.commands) };
    } finally {
      dynamoDb.stop();
      s3.stop();
    }
  };
  // One side at a time: the counters see every request of the client.
  const requests = {} as Record<ArchiveLoadSide, Awaited<ReturnType<typeof counted>>>;
  for (const side of ARCHIVE_LOAD_SIDES) requests[side] = await counted(side);
  const ms = await interleave(ARCHIVE_LOAD_SIDES, repetitions, (side) => timed(() => load(side)));
  const result = (side: ArchiveLoadSide): ArchiveLoad => ({
    p50Ms: quantile(ms[side], 0.5),
    p99Ms: quantile(ms[side], 0.99),
    eventsRead: requests[side].eventsRead,
    dynamoDbRequests: requests[side].dynamoDb.length,
    dynamoDbCommands: byName(requests[side].dynamoDb),
    s3: requests[side].s3,
  });
  return Object.fromEntries(ARCHIVE_LOAD_SIDES.map((side) => [side, result(side)])) as Record<
    ArchiveLoadSide,
    ArchiveLoad
  >;
}
