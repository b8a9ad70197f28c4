import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDynamoDbClient,
  EVENT_BUS_NAME_VARIABLE,
  prefixedTableNames,
  tableEnvironment,
} from '../functions/eventsourcing';
import { tables as declaredTables, type TableKey } from '../functions/system';
import { startDynamoDbLocal } from './dynamodb-local';
import { startLocalEventBus, type LocalEventBus } from './event-bus';
import { startHttpServer } from './http-server';
import { startSchedules, type RunningSchedules } from './schedules';
import { startStreamConsumers, type RunningStreamConsumers } from './stream-consumers';
import { createTables } from './tables';
import { localTools } from './local-tools';

export interface LocalStackOptions {
  /** Directory for DynamoDB Local's data; in memory when omitted. */
  readonly dataDir?: string;
  /** DynamoDB Local's port; a free one when omitted. */
  readonly dynamoDbPort?: number;
  /** Use this running DynamoDB Local instead of starting one (tests share one per run). */
  readonly dynamoDbEndpoint?: string;
  /** Serve the HTTP API on this port (0 picks a free one); no HTTP server when omitted. */
  readonly httpPort?: number;
  /** Address the HTTP API listens on; 127.0.0.1 when omitted. */
  readonly httpHost?: string;
  /** Called with one line per HTTP request. */
  readonly httpLog?: (line: string) => void;
  /** Prefix of the physical table names. */
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

/**
 * The whole system on this machine: DynamoDB Local with every declared table. The environment
 * is set as Lambda's would be, so handler code runs unchanged in this process.
 *
 * `stop()` stops in the reverse order of starting: the HTTP server stops accepting requests and
 * lets those in flight finish, the stream readers finish their batch in flight, the schedules
 * their runs, and DynamoDB Local goes last, when nothing uses it any more.
 */
// eslint-disable-next-line complexity -- predates the complexity cap; split when next changed
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  // What has started so far, stopped in reverse order by `stop` or when a later step fails.
  const started: (() => Promise<void> | void)[] = [];
  const stopStarted = async () => {
    for (const stop of started.splice(0).reverse()) await stop();
  };
  try {
    const dynamoDb = options.dynamoDbEndpoint
      ? { endpoint: options.dynamoDbEndpoint, stop: () => Promise.resolve() }
      : await startDynamoDbLocal({
          ...(options.dataDir ? { dbPath: options.dataDir } : {}),
          ...(options.dynamoDbPort ? { port: options.dynamoDbPort } : {}),
          ...(options.onDynamoDbExit ? { onUnexpectedExit: options.onDynamoDbExit } : {}),
        });
    started.push(() => dynamoDb.stop());
    const tableNames = prefixedTableNames(declaredTables, options.tablePrefix ?? 'local-');
    const client = createDynamoDbClient({ endpoint: dynamoDb.endpoint });
    try {
      await createTables(client, tableNames);
    } finally {
      client.destroy();
    }
    const eventBusFile = options.dataDir
      ? join(options.dataDir, '..', 'integration-events.jsonl')
      : undefined;
    const eventBus = await startLocalEventBus({
      ...(options.eventBusPort !== undefined ? { port: options.eventBusPort } : {}),
      ...(eventBusFile ? { file: eventBusFile } : {}),
    });
    started.push(() => eventBus.stop());
    Object.assign(process.env, {
      DYNAMODB_ENDPOINT: dynamoDb.endpoint,
      EVENTBRIDGE_ENDPOINT: eventBus.endpoint,
      [EVENT_BUS_NAME_VARIABLE]: `${options.tablePrefix ?? 'local-'}integration`,
      AWS_REGION: process.env.AWS_REGION ?? 'local',
      ...tableEnvironment(tableNames),
    });
    const consumersClient = createDynamoDbClient({ endpoint: dynamoDb.endpoint });
    started.push(() => consumersClient.destroy());
    const schedules = await startSchedules({
      onError: (key, error) => console.error(`Scheduled function ${key} failed:`, error),
    });
    started.push(() => schedules.stop());
    const streamConsumers = await startStreamConsumers({
      client: consumersClient,
      endpoint: dynamoDb.endpoint,
      tableNames,
      checkpointTable: `${options.tablePrefix ?? 'local-'}stream-checkpoints`,
      failuresDir:
        options.streamFailuresDir ??
        (options.dataDir
          ? join(options.dataDir, '..', 'stream-failures')
          : mkdtempSync(join(tmpdir(), 'stream-failures-'))),
      ...(options.deliverEachBatch ? { deliverEachBatch: options.deliverEachBatch } : {}),
    });
    started.push(() => streamConsumers.stop());
    const http =
      options.httpPort === undefined
        ? undefined
        : await startHttpServer({
            port: options.httpPort,
            ...(options.httpHost ? { host: options.httpHost } : {}),
            ...(options.httpLog ? { log: options.httpLog } : {}),
            tools: await localTools(consumersClient, tableNames),
          });
    if (http) started.push(() => http.stop());
    return {
      dynamoDbEndpoint: dynamoDb.endpoint,
      tableNames,
      ...(http ? { apiUrl: http.url } : {}),
      streamConsumers,
      eventBus,
      ...(eventBusFile ? { eventBusFile } : {}),
      schedules,
      stop: stopStarted,
    };
  } catch (error) {
    await stopStarted();
    throw error;
  }
}
