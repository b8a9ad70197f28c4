import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  bucketEnvironment,
  EVENT_BUS_NAME_VARIABLE,
  prefixedBucketNames,
  prefixedTableNames,
  signingKeyEnvVar,
  tableEnvironment,
} from '../functions/eventsourcing/declaration';
import { createDynamoDbClient } from '../functions/eventsourcing';
import { createS3Client } from '../functions/eventsourcing/aws';
import {
  HISTORY_LOG_VARIABLE,
  LOCAL_SIGNING_KEY_PREFIX,
} from '../functions/eventsourcing/integrity';
import {
  buckets as declaredBuckets,
  signingKeys as declaredSigningKeys,
  tables as declaredTables,
  type BucketKey,
  type TableKey,
} from '../functions/system';
import { createBuckets } from './buckets';
import { startDynamoDbLocal } from './dynamodb-local';
import { startLocalEventBus, type LocalEventBus } from './event-bus';
import { startHttpServer } from './http-server';
import { startSchedules, type RunningSchedules } from './schedules';
import { startTimers, timerEnvironment, timerTargetOf } from './timers';
import { startStreamConsumers, type RunningStreamConsumers } from './stream-consumers';
import { startLocalS3 } from './s3/server';
import { createTables } from './tables';
import { localTools } from './local-tools';
import {
  LOCAL_PERSONAL_DATA_KEY_PREFIX,
  PERSONAL_DATA_KEY_VARIABLE,
} from '../functions/eventsourcing/personal';

export interface LocalStackOptions {
  /** Directory for DynamoDB Local's data; in memory when omitted. */
  readonly dataDir?: string;
  /** DynamoDB Local's port; a free one when omitted. */
  readonly dynamoDbPort?: number;
  /** Use this running DynamoDB Local instead of starting one (tests share one per run). */
  readonly dynamoDbEndpoint?: string;
  /** The local S3 server's port; a free one when omitted. */
  readonly s3Port?: number;
  /** Use this running local S3 server instead of starting one (tests share one per run). */
  readonly s3Endpoint?: string;
  /**
   * Where the signing keys live (created on first use); beside `dataDir`, or a temporary
   * directory when in memory.
   */
  readonly signingKeysDir?: string;
  /** Serve the HTTP API on this port (0 picks a free one); no HTTP server when omitted. */
  readonly httpPort?: number;
  /** Address the HTTP API listens on; 127.0.0.1 when omitted. */
  readonly httpHost?: string;
  /** Called with one line per HTTP request. */
  readonly httpLog?: (line: string) => void;
  /** Prefix of the physical table and bucket names (lowercase: it starts bucket names). */
  readonly tablePrefix?: string;
  /**
   * Where stream consumers put batches they give up on (the local stand-in for the S3
   * on-failure destination); next to `dataDir`, or a temporary directory when in memory.
   */
  readonly streamFailuresDir?: string;
  /** Port of the local event bus receiving integration events; a free one when omitted. */
  readonly eventBusPort?: number;
  /** Hand every stream batch to its consumer this many times (an at-least-once drill). */
  readonly deliverEachBatch?: number;
  /** Called when the DynamoDB Local this stack started exits without being stopped. */
  readonly onDynamoDbExit?: (description: string) => void;
}

export interface LocalStack {
  readonly dynamoDbEndpoint: string;
  readonly tableNames: Record<TableKey, string>;
  readonly s3Endpoint: string;
  readonly bucketNames: Record<BucketKey, string>;
  /** The directory of the local signing keys (`SIGNING_KEY_<NAME>=local:<it>`). */
  readonly signingKeysDir: string;
  /** Base URL of the HTTP API, when it is served. */
  readonly apiUrl?: string;
  /** One stream runner per declared stream host. */
  readonly streamConsumers: RunningStreamConsumers;
  /**
   * The local EventBridge bus integration events are published to: `GET <endpoint>/events`
   * lists them, and with a `dataDir` they are also appended to `eventBusFile` (JSON lines).
   */
  readonly eventBus: LocalEventBus;
  readonly eventBusFile?: string;
  /** The scheduled functions, run on their declared rates. */
  readonly schedules: RunningSchedules;
  stop(): Promise<void>;
}

/** Stops what has started so far, in reverse order. */
type Started = (() => Promise<void> | void)[];

const prefixOf = (options: LocalStackOptions) => options.tablePrefix ?? 'local-';

/** Where the stack keeps `name` next to DynamoDB Local's data; nothing when in memory. */
const besideData = (options: LocalStackOptions, name: string) =>
  options.dataDir ? join(options.dataDir, '..', name) : undefined;

async function startDynamoDb(options: LocalStackOptions, started: Started) {
  const dynamoDb = options.dynamoDbEndpoint
    ? { endpoint: options.dynamoDbEndpoint, stop: () => Promise.resolve() }
    : await startDynamoDbLocal({
        ...(options.dataDir ? { dbPath: options.dataDir } : {}),
        ...(options.dynamoDbPort ? { port: options.dynamoDbPort } : {}),
        ...(options.onDynamoDbExit ? { onUnexpectedExit: options.onDynamoDbExit } : {}),
      });
  started.push(() => dynamoDb.stop());
  const tableNames = prefixedTableNames(declaredTables, prefixOf(options));
  const client = createDynamoDbClient({ endpoint: dynamoDb.endpoint });
  try {
    await createTables(client, tableNames);
  } finally {
    client.destroy();
  }
  return { endpoint: dynamoDb.endpoint, tableNames };
}

async function startS3(options: LocalStackOptions, started: Started) {
  const directory = besideData(options, 's3');
  const s3 = options.s3Endpoint
    ? { endpoint: options.s3Endpoint, stop: () => Promise.resolve() }
    : await startLocalS3({
        ...(directory ? { directory } : {}),
        ...(options.s3Port ? { port: options.s3Port } : {}),
      });
  started.push(() => s3.stop());
  const bucketNames = prefixedBucketNames(declaredBuckets, prefixOf(options));
  const client = createS3Client({ endpoint: s3.endpoint });
  try {
    await createBuckets(client, bucketNames);
  } finally {
    client.destroy();
  }
  return { endpoint: s3.endpoint, bucketNames };
}

/**
 * Every declared signing key as a local key file (`SIGNING_KEY_<NAME>=local:<dir>`): under the
 * data directory, so checkpoints signed before a restart still verify; in a temporary directory
 * when in memory. Checkpoints name this log `local`.
 */
function localSigningKeys(directory: string): Record<string, string> {
  return {
    [HISTORY_LOG_VARIABLE]: 'local',
    ...Object.fromEntries(
      Object.keys(declaredSigningKeys).map((key) => [
        signingKeyEnvVar(key),
        `${LOCAL_SIGNING_KEY_PREFIX}${directory}`,
      ]),
    ),
  };
}

async function startEventBus(options: LocalStackOptions, started: Started) {
  const file = besideData(options, 'integration-events.jsonl');
  const eventBus = await startLocalEventBus({
    ...(options.eventBusPort !== undefined ? { port: options.eventBusPort } : {}),
    ...(file ? { file } : {}),
  });
  started.push(() => eventBus.stop());
  return { eventBus, file };
}

/**
 * When a function receives timers: every function's timers sent to a schedules directory beside
 * the data (temporary when in memory), and the runner firing them.
 */
async function startTimersIfDeclared(options: LocalStackOptions, started: Started) {
  if (!timerTargetOf()) return;
  const inDataOrTemporary = (name: string) =>
    besideData(options, name) ?? mkdtempSync(join(tmpdir(), `${name}-`));
  const schedulesDir = inDataOrTemporary('timer-schedules');
  Object.assign(process.env, timerEnvironment(schedulesDir));
  const timers = await startTimers({
    schedulesDir,
    deadLetterDir: inDataOrTemporary('timer-dead-letters'),
    onError: (message, error) => console.error(`${message}:`, error),
  });
  if (timers) started.push(() => timers.stop());
}

/** The scheduled functions, the timers and the stream readers, on one DynamoDB client. */
async function startRunners(
  options: LocalStackOptions,
  dynamoDb: { endpoint: string; tableNames: Record<TableKey, string> },
  started: Started,
) {
  const client = createDynamoDbClient({ endpoint: dynamoDb.endpoint });
  started.push(() => client.destroy());
  const schedules = await startSchedules({
    onError: (key, error) => console.error(`Scheduled function ${key} failed:`, error),
  });
  started.push(() => schedules.stop());
  await startTimersIfDeclared(options, started);
  const streamConsumers = await startStreamConsumers({
    client,
    endpoint: dynamoDb.endpoint,
    tableNames: dynamoDb.tableNames,
    checkpointTable: `${prefixOf(options)}stream-checkpoints`,
    failuresDir:
      options.streamFailuresDir ??
      besideData(options, 'stream-failures') ??
      mkdtempSync(join(tmpdir(), 'stream-failures-')),
    ...(options.deliverEachBatch ? { deliverEachBatch: options.deliverEachBatch } : {}),
  });
  started.push(() => streamConsumers.stop());
  return { client, schedules, streamConsumers };
}

async function startHttp(
  options: LocalStackOptions,
  runners: { client: DynamoDBClient; schedules: RunningSchedules },
  tableNames: Record<TableKey, string>,
  started: Started,
) {
  if (options.httpPort === undefined) return undefined;
  const http = await startHttpServer({
    port: options.httpPort,
    ...(options.httpHost ? { host: options.httpHost } : {}),
    ...(options.httpLog ? { log: options.httpLog } : {}),
    tools: await localTools(runners.client, tableNames, runners.schedules),
  });
  started.push(() => http.stop());
  return http;
}

/**
 * The whole system on this machine: DynamoDB Local with every declared table, the local S3
 * server with every declared bucket. The environment is set as Lambda's would be, so handler
 * code runs unchanged in this process.
 *
 * `stop()` stops in the reverse order of starting: the HTTP server stops accepting requests and
 * lets those in flight finish, the stream readers finish their batch in flight, the timers their
 * deliveries, the schedules their runs, then the event bus, the S3 server and, last, DynamoDB
 * Local, when nothing uses them any more.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const started: Started = [];
  const stopStarted = async () => {
    for (const stop of started.splice(0).reverse()) await stop();
  };
  try {
    const dynamoDb = await startDynamoDb(options, started);
    const s3 = await startS3(options, started);
    const { eventBus, file: eventBusFile } = await startEventBus(options, started);
    const signingKeysDir =
      options.signingKeysDir ??
      besideData(options, 'signing') ??
      mkdtempSync(join(tmpdir(), 'signing-'));
    Object.assign(process.env, {
      ...localSigningKeys(signingKeysDir),
      // Subjects' data keys are wrapped by a local master key beside the signing key.
      [PERSONAL_DATA_KEY_VARIABLE]: `${LOCAL_PERSONAL_DATA_KEY_PREFIX}${signingKeysDir}`,
      DYNAMODB_ENDPOINT: dynamoDb.endpoint,
      S3_ENDPOINT: s3.endpoint,
      EVENTBRIDGE_ENDPOINT: eventBus.endpoint,
      [EVENT_BUS_NAME_VARIABLE]: `${prefixOf(options)}integration`,
      AWS_REGION: process.env.AWS_REGION ?? 'local',
      ...tableEnvironment(dynamoDb.tableNames),
      ...bucketEnvironment(s3.bucketNames),
    });
    const runners = await startRunners(options, dynamoDb, started);
    const http = await startHttp(options, runners, dynamoDb.tableNames, started);
    return {
      dynamoDbEndpoint: dynamoDb.endpoint,
      tableNames: dynamoDb.tableNames,
      s3Endpoint: s3.endpoint,
      bucketNames: s3.bucketNames,
      signingKeysDir,
      ...(http ? { apiUrl: http.url } : {}),
      streamConsumers: runners.streamConsumers,
      eventBus,
      ...(eventBusFile ? { eventBusFile } : {}),
      schedules: runners.schedules,
      stop: stopStarted,
    };
  } catch (error) {
    await stopStarted();
    throw error;
  }
}
