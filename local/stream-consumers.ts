import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import {
  type FunctionDeclaration,
  type StreamHostDeclaration,
  streamReaderProblems,
} from '../functions/eventsourcing/declaration';
import { localEndpointConfig } from '../functions/eventsourcing/aws';
import { functions as declaredFunctions, streamHosts as declaredHosts } from '../functions/system';
import { FailureDirectory } from './failure-destination';
import { EVENT_INSERT_PATTERN, loadFunctionHandler } from '../functions/eventsourcing/declaration';
import { StreamCheckpoints } from './stream-checkpoints';
import { StreamRunner, type StreamHandler } from './stream-runner';
import { latestStreamArn } from './tables';

/** What the local stack needs of a stream host's declaration. */
export type StreamHostSettings = Omit<StreamHostDeclaration, 'source' | 'consumers'> & {
  readonly source: string;
};

export interface StreamConsumersOptions {
  /** Client of the DynamoDB Local holding the tables. */
  readonly client: DynamoDBClient;
  readonly endpoint: string;
  /** Physical table names by declared key. */
  readonly tableNames: Readonly<Record<string, string>>;
  /** Directory standing in for the S3 on-failure destination. */
  readonly failuresDir: string;
  readonly checkpointTable: string;
  /** The stream hosts to run, by function key; the declared ones when omitted. */
  readonly hosts?: Readonly<Record<string, StreamHostSettings>>;
  readonly functions?: Readonly<Record<string, FunctionDeclaration>>;
  readonly pollIntervalMs?: number;
  readonly retryDelayMs?: (retry: number) => number;
  /**
   * Hand every batch to the function this many times (default 1): a drill for the at-least-once
   * delivery of DynamoDB Streams, which every consumer must absorb.
   */
  readonly deliverEachBatch?: number;
}

export interface RunningStreamConsumers {
  readonly runners: readonly StreamRunner[];
  readonly failures: FailureDirectory;
  stop(): Promise<void>;
}

export function createStreamsClient(endpoint: string): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient(localEndpointConfig(endpoint));
}

/** A handler that receives every batch `times` times; the last answer counts. */
export function repeatDeliveries(handler: StreamHandler, times: number): StreamHandler {
  if (times <= 1) return handler;
  return async (event, context) => {
    let result: Awaited<ReturnType<StreamHandler>>;
    let delivery = 0;
    do result = await handler(event, context);
    while (++delivery < times);
    return result;
  };
}

/**
 * One stream runner per declared stream host, each invoking its function's handler with the
 * host's event source mapping settings. Refuses more readers of one table stream than AWS
 * allows, as synthesis does (DynamoDB Local would not throttle them). The environment (table
 * names, endpoint) must be set before, as handlers read it when they load.
 */
export async function startStreamConsumers(
  options: StreamConsumersOptions,
): Promise<RunningStreamConsumers> {
  const hosts = options.hosts ?? declaredHosts;
  const problems = streamReaderProblems(hosts);
  if (problems.length > 0)
    throw new Error(`Cannot start the stream readers: ${problems.join('; ')}`);
  const checkpoints = new StreamCheckpoints(options.client, options.checkpointTable);
  await checkpoints.ensureTable();
  const failures = new FailureDirectory(options.failuresDir);
  const streams = createStreamsClient(options.endpoint);
  let runners: StreamRunner[];
  try {
    runners = await createRunners(options, hosts, { checkpoints, failures, streams });
  } catch (error) {
    streams.destroy();
    throw error;
  }
  for (const runner of runners) runner.start();
  return {
    runners,
    failures,
    async stop() {
      await Promise.all(runners.map((runner) => runner.stop()));
      streams.destroy();
    },
  };
}

async function createRunners(
  options: StreamConsumersOptions,
  hosts: Readonly<Record<string, StreamHostSettings>>,
  shared: {
    checkpoints: StreamCheckpoints;
    failures: FailureDirectory;
    streams: DynamoDBStreamsClient;
  },
): Promise<StreamRunner[]> {
  const functions: Readonly<Record<string, FunctionDeclaration>> =
    options.functions ?? declaredFunctions;
  const runners: StreamRunner[] = [];
  for (const [key, host] of Object.entries(hosts)) {
    const declaration = functions[key];
    if (!declaration) throw new Error(`Stream host ${key} has no function of the same key`);
    const tableName = options.tableNames[host.source];
    if (!tableName) throw new Error(`Stream host ${key} reads unknown table '${host.source}'`);
    runners.push(
      new StreamRunner({
        ...shared,
        consumer: key,
        streamArn: await latestStreamArn(options.client, tableName),
        handler: repeatDeliveries(
          await loadFunctionHandler<StreamHandler>(declaration),
          options.deliverEachBatch ?? 1,
        ),
        settings: host,
        filters: [EVENT_INSERT_PATTERN],
        functionName: key,
        timeoutSeconds: declaration.timeoutSeconds,
        memoryMb: declaration.memoryMb,
        ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
        ...(options.retryDelayMs ? { retryDelayMs: options.retryDelayMs } : {}),
      }),
    );
  }
  return runners;
}
