import type { BatchConsumer } from '../consumers/batch-consumer.js';
import type { Reaction } from '../consumers/reaction.js';
import type { BucketAccess, BucketGrants } from './buckets.js';
import type { FunctionDeclaration } from './functions.js';
import type { TableAccess, TableGrants } from './tables.js';

/**
 * A consumer hosted by a stream reader.
 * - `projection`: keeps a read model (its `Projection` names the table, declared `readWrite`);
 * - `reaction`: acts on events: process managers, the integration-event publisher;
 * - `batch`: takes each batch whole and keeps its own idempotency (the global-log indexer).
 */
export interface ConsumerDeclaration<
  TableKey extends string = string,
  BucketKey extends string = string,
> {
  readonly description: string;
  readonly kind: 'projection' | 'reaction' | 'batch';
  /**
   * Tables the consumer's own code uses. What every consumer needs besides (reading events,
   * parking, its version guard) the host gets anyway.
   */
  readonly tables: TableGrants<TableKey>;
  /** Buckets the consumer's code uses. */
  readonly buckets?: BucketGrants<BucketKey>;
  readonly eventBus?: 'integration';
  /** `schedule`: the consumer's code creates and deletes timers (see `FunctionDeclaration`). */
  readonly timers?: 'schedule';
}

/**
 * A reaction declared with its code, as a context's module lists it: what it may use, and
 * `create`, which builds its code for the host that runs it. The host calls `create` when its
 * module loads (a Lambda cold start, and also synthesis checking the host's export), so `create`
 * reads no environment: it builds the clients its code needs on first use.
 */
export type ReactionDeclaration<
  TableKey extends string = string,
  BucketKey extends string = string,
> =
  | (ConsumerDeclaration<TableKey, BucketKey> & {
      readonly kind: 'reaction';
      readonly create: () => Reaction;
    })
  | (ConsumerDeclaration<TableKey, BucketKey> & {
      readonly kind: 'batch';
      readonly create: () => BatchConsumer;
    });

/**
 * A reader of a table stream: one Lambda function with one event source mapping, hosting
 * consumers. The local stream runner honours the same mapping settings, so local runs behave
 * like AWS. Its key is its function's key; its function is derived from it.
 */
export interface StreamHostDeclaration<
  TableKey extends string = string,
  BucketKey extends string = string,
> {
  readonly description: string;
  readonly source: TableKey;
  /** Module exporting the host's Lambda `handler`, relative to the repository root. */
  readonly entry: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  /**
   * Retries of a failing batch before its records go to the on-failure destination. Past a
   * stream's one retry, a host fails a batch only when a consumer cannot even record a failure
   * (the database unreachable), so retries last until the records expire.
   */
  readonly maxRetryAttempts: number;
  readonly maxRecordAgeSeconds: number;
  readonly bisectBatchOnError: boolean;
  /** 1 keeps records of one stream (partition key) in order. */
  readonly parallelizationFactor: 1;
  readonly startingPosition: 'TRIM_HORIZON';
  /** The consumers, by name (part of their bookkeeping keys, metrics and parked records). */
  readonly consumers: Readonly<Record<string, ConsumerDeclaration<TableKey, BucketKey>>>;
}

/** AWS throttles a DynamoDB Streams shard read by more than two processes at a time. */
export const MAX_READERS_PER_STREAM = 2;

/**
 * The event source mapping of a host of the events stream: every record retried until it
 * expires (a day), failing batches bisected, one stream's records in order.
 */
export const EVENTS_STREAM_MAPPING = {
  source: 'events',
  maxBatchingWindowSeconds: 0,
  maxRetryAttempts: 10_000,
  maxRecordAgeSeconds: 86_400,
  bisectBatchOnError: true,
  parallelizationFactor: 1,
  startingPosition: 'TRIM_HORIZON',
} as const;

/**
 * The event filter pattern (Lambda's filter criteria syntax) of every mapping on the events
 * stream: only new event items reach a host. Events are never modified; removals (the archiver's)
 * and the streams' head items are not events. The CDK app gives it to each event source mapping,
 * the local stream runner applies it the same way.
 */
export const EVENT_INSERT_PATTERN = {
  eventName: ['INSERT'],
  dynamodb: {
    NewImage: {
      eventId: { S: [{ exists: true }] },
      type: { S: [{ exists: true }] },
    },
  },
} as const;

/** A projection consumer keeping `readModel`, its only table of its own. */
export const projectionConsumer = <ReadModel extends string>(
  description: string,
  readModel: ReadModel,
) =>
  ({
    description,
    kind: 'projection',
    tables: { [readModel]: 'readWrite' } as { readonly [Key in ReadModel]: 'readWrite' },
  }) as const satisfies ConsumerDeclaration;

/**
 * The stream readers that exceed `MAX_READERS_PER_STREAM` on some table, one problem per
 * stream, naming its readers.
 */
export function streamReaderProblems(
  hosts: Readonly<Record<string, { readonly source: string }>>,
): string[] {
  const readers = new Map<string, string[]>();
  for (const [key, host] of Object.entries(hosts)) {
    readers.set(host.source, [...(readers.get(host.source) ?? []), key]);
  }
  return [...readers]
    .filter(([, keys]) => keys.length > MAX_READERS_PER_STREAM)
    .map(
      ([table, keys]) =>
        `the stream of table ${table} has ${keys.length} readers (${keys.join(', ')}); ` +
        `AWS allows at most ${MAX_READERS_PER_STREAM}: host the consumers in existing readers`,
    );
}

const TABLE_ACCESS_RANK: Readonly<Record<TableAccess, number>> = {
  read: 0,
  append: 1,
  readWrite: 2,
  appendAndScan: 3,
  readWriteAndScan: 4,
  // Never a consumer's (the declaration check refuses it): ranked above all, as it deletes.
  archive: 5,
};
const BUCKET_ACCESS_RANK: Readonly<Record<BucketAccess, number>> = {
  read: 0,
  writeOnce: 1,
  readWrite: 2,
};

/** Each resource of `grants`, with the highest-ranked access any of them asks for. */
function broadest<Access extends string>(
  rank: Readonly<Record<Access, number>>,
  grants: readonly Readonly<Partial<Record<string, Access>>>[],
): Record<string, Access> {
  const broadestAccess: Record<string, Access> = {};
  for (const [key, access] of grants.flatMap((held) => Object.entries(held))) {
    const current = broadestAccess[key];
    if (access && (!current || rank[access] > rank[current])) broadestAccess[key] = access;
  }
  return broadestAccess;
}

/** Each table of `grants`, with the broadest access any of them asks for. */
export const broadestGrants = (grants: readonly TableGrants[]): Record<string, TableAccess> =>
  broadest(TABLE_ACCESS_RANK, grants);

/** Each bucket of `grants`, with the broadest access any of them asks for. */
export const broadestBucketGrants = (
  grants: readonly BucketGrants[],
): Record<string, BucketAccess> => broadest(BUCKET_ACCESS_RANK, grants);

/**
 * The function running a host: every table and bucket its consumers use, with the broadest
 * access any of them needs, their event bus and timers, plus what the host needs itself (reading its source for gaps and redrives,
 * parking, and the guards of reactions).
 */
export function hostFunction(host: StreamHostDeclaration): FunctionDeclaration {
  const consumers = Object.values(host.consumers);
  const own: TableGrants = {
    [host.source]: 'read',
    parkedStreams: 'readWrite',
    ...(consumers.some((consumer) => consumer.kind === 'reaction')
      ? { reactionPositions: 'readWrite' }
      : {}),
  };
  const eventBus = consumers.find((consumer) => consumer.eventBus)?.eventBus;
  const timers = consumers.find((consumer) => consumer.timers)?.timers;
  const buckets = broadestBucketGrants(consumers.map((consumer) => consumer.buckets ?? {}));
  return {
    description: host.description,
    entry: host.entry,
    trigger: 'stream',
    memoryMb: host.memoryMb,
    timeoutSeconds: host.timeoutSeconds,
    tables: broadestGrants([own, ...consumers.map((consumer) => consumer.tables)]),
    ...(Object.keys(buckets).length > 0 ? { buckets } : {}),
    ...(eventBus ? { eventBus } : {}),
    ...(timers ? { timers } : {}),
  };
}
