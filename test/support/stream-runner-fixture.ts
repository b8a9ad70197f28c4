import { EVENT_INSERT_PATTERN } from '../../functions/eventsourcing/declaration';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { EventStore } from '../../functions/eventsourcing';
import { FailureDirectory } from '../../local/failure-destination';
import { createStreamsClient } from '../../local/stream-consumers';
import { StreamCheckpoints } from '../../local/stream-checkpoints';
import {
  StreamRunner,
  type StreamHandler,
  type StreamRunnerSettings,
} from '../../local/stream-runner';
import { latestStreamArn } from '../../local/tables';
import { createProjectionTestTables, type ProjectionTestTables } from './projection-fixture';
import { balanceEvents } from './test-events';

export const fastSettings: StreamRunnerSettings = {
  batchSize: 100,
  maxBatchingWindowSeconds: 0,
  maxRetryAttempts: 10,
  maxRecordAgeSeconds: -1,
  bisectBatchOnError: true,
};

export interface RunnerFixture {
  readonly tables: ProjectionTestTables;
  /** An event store on the events table the runners read. */
  readonly store: EventStore;
  readonly streamArn: string;
  readonly failures: FailureDirectory;
  readonly checkpoints: StreamCheckpoints;
  /** Starts a runner on the events stream; every runner is stopped by `close`. */
  runner(
    handler: StreamHandler,
    options?: { consumer?: string; settings?: Partial<StreamRunnerSettings> },
  ): StreamRunner;
  /** Stops every runner started so far, each after its invocation in flight. */
  stopRunners(): Promise<void>;
  close(): Promise<void>;
}

/** Fresh tables, a checkpoint table and a failure directory for runner tests. */
export async function createRunnerFixture(): Promise<RunnerFixture> {
  const tables = await createProjectionTestTables();
  const streams = createStreamsClient(tables.endpoint);
  const streamArn = await latestStreamArn(tables.client, tables.names.events);
  const checkpoints = new StreamCheckpoints(
    tables.client,
    `checkpoints-${randomUUID().slice(0, 8)}`,
  );
  await checkpoints.ensureTable();
  const directory = await mkdtemp(join(tmpdir(), 'stream-failures-'));
  const failures = new FailureDirectory(directory);
  const runners: StreamRunner[] = [];
  const stopRunners = async () => {
    await Promise.all(runners.map((runner) => runner.stop()));
  };
  return {
    tables,
    store: new EventStore({
      client: tables.client,
      tableName: tables.names.events,
      catalogue: balanceEvents,
    }),
    streamArn,
    failures,
    checkpoints,
    runner(handler, options = {}) {
      const runner = new StreamRunner({
        consumer: options.consumer ?? 'consumer',
        streamArn,
        streams,
        handler,
        settings: { ...fastSettings, ...options.settings },
        checkpoints,
        failures,
        filters: [EVENT_INSERT_PATTERN],
        pollIntervalMs: 20,
        retryDelayMs: () => 10,
      });
      runners.push(runner);
      runner.start();
      return runner;
    },
    stopRunners,
    async close() {
      await stopRunners();
      streams.destroy();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * For a test file whose tests each start their own fixture: the returned function creates one,
 * and it is closed after the test.
 */
export function runnerFixturePerTest(): () => Promise<RunnerFixture> {
  let current: RunnerFixture | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async () => (current = await createRunnerFixture());
}
