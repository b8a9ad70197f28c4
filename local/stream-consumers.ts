import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import {
  functions as declaredFunctions,
  streamConsumers as declaredConsumers,
  type FunctionDeclaration,
  type StreamConsumerDeclaration,
} from '../functions/system';
import { localEndpointConfig } from '../functions/eventsourcing/local-endpoint';
import { FailureDirectory } from './failure-destination';
import { loadFunctionHandler } from './function-modules';
import { StreamCheckpoints } from './stream-checkpoints';
import { StreamRunner, type StreamHandler } from './stream-runner';
import { latestStreamArn } from './tables';

export interface StreamConsumersOptions {
  /** Client of the DynamoDB Local holding the tables. */
  readonly client: DynamoDBClient;
  readonly endpoint: string;
  /** Physical table names by declared key. */
  readonly tableNames: Readonly<Record<string, string>>;
  /** Directory standing in for the S3 on-failure destination. */
  readonly failuresDir: string;
  readonly checkpointTable: string;
  readonly consumers?: readonly StreamConsumerDeclaration[];
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

/** Imports a declared stream consumer's handler exactly as Lambda would find it. */
export function loadHandler(declaration: FunctionDeclaration): Promise<StreamHandler> {
  return loadFunctionHandler<StreamHandler>(declaration);
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
 * One stream runner per declared stream consumer, each invoking its function's handler with
 * the consumer's event source mapping settings. The environment (table names, endpoint) must
 * be set before, as handlers read it when they load.
 */
export async function startStreamConsumers(
  options: StreamConsumersOptions,
): Promise<RunningStreamConsumers> {
  const checkpoints = new StreamCheckpoints(options.client, options.checkpointTable);
  await checkpoints.ensureTable();
  const failures = new FailureDirectory(options.failuresDir);
  const streams = createStreamsClient(options.endpoint);
  let runners: StreamRunner[];
  try {
    runners = await createRunners(options, { checkpoints, failures, streams });
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
  shared: {
    checkpoints: StreamCheckpoints;
    failures: FailureDirectory;
    streams: DynamoDBStreamsClient;
  },
): Promise<StreamRunner[]> {
  const functions: Readonly<Record<string, FunctionDeclaration>> =
    options.functions ?? declaredFunctions;
  const runners: StreamRunner[] = [];
  for (const consumer of options.consumers ?? declaredConsumers) {
    const declaration = functions[consumer.function];
    if (!declaration) {
      throw new Error(`Stream consumer names unknown function '${consumer.function}'`);
    }
    const tableName = options.tableNames[consumer.source];
    if (!tableName) throw new Error(`Stream consumer reads unknown table '${consumer.source}'`);
    runners.push(
      new StreamRunner({
        ...shared,
        consumer: consumer.function,
        streamArn: await latestStreamArn(options.client, tableName),
        handler: repeatDeliveries(await loadHandler(declaration), options.deliverEachBatch ?? 1),
        settings: consumer,
        functionName: consumer.function,
        timeoutSeconds: declaration.timeoutSeconds,
        memoryMb: declaration.memoryMb,
        ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
        ...(options.retryDelayMs ? { retryDelayMs: options.retryDelayMs } : {}),
      }),
    );
  }
  return runners;
}
