import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStore, ReadModelReader } from '../functions/eventsourcing';
import {
  tableNameEnvVar,
  type FunctionDeclaration,
  type StreamConsumerDeclaration,
} from '../functions/system';
import { startStreamConsumers } from '../local/stream-consumers';
import { waitFor } from '../local/wait-for';
import { project } from './support/balance-handler';
import { balanceEvents } from './support/test-events';
import {
  createProjectionTestTables,
  type ProjectionTestTables,
} from './support/projection-fixture';

let tables: ProjectionTestTables;
let failuresDir: string;

const declaration: FunctionDeclaration = {
  description: 'Test projection',
  entry: 'test/support/balance-handler.ts',
  handler: 'project',
  trigger: 'stream',
  memoryMb: 256,
  timeoutSeconds: 30,
  tables: { events: 'read', parkedStreams: 'readWrite' },
};

const consumer = {
  function: 'balances',
  source: 'events',
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  maxRetryAttempts: 5,
  maxRecordAgeSeconds: -1,
  bisectBatchOnError: true,
  parallelizationFactor: 1,
  startingPosition: 'TRIM_HORIZON',
} as unknown as StreamConsumerDeclaration; // names a test-only function

beforeAll(async () => {
  tables = await createProjectionTestTables();
  failuresDir = await mkdtemp(join(tmpdir(), 'stream-failures-'));
  // What the local stack does for every declared table, here for the test-only read model too.
  Object.assign(process.env, {
    [tableNameEnvVar('events')]: tables.projectionTables.events,
    [tableNameEnvVar('parkedStreams')]: tables.projectionTables.parkedStreams,
    [tableNameEnvVar('testBalances')]: tables.projectionTables.readModel,
  });
});

afterAll(async () => {
  await rm(failuresDir, { recursive: true, force: true });
});

describe('stream consumers of the local stack', () => {
  it('run each declared consumer with the handler its function declaration names', async () => {
    const running = await startStreamConsumers({
      client: tables.client,
      endpoint: tables.endpoint,
      tableNames: tables.names,
      failuresDir,
      checkpointTable: `${tables.names.events}-checkpoints`,
      consumers: [consumer],
      functions: { balances: declaration },
      pollIntervalMs: 20,
    });
    try {
      expect(running.runners.map((runner) => runner.consumer)).toEqual(['balances']);
      const store = new EventStore({
        client: tables.client,
        tableName: tables.names.events,
        catalogue: balanceEvents,
      });
      await store.append(
        'acc-1',
        [
          { type: 'Opened', data: { owner: 'ann' } },
          { type: 'Deposited', data: { amount: 42 } },
        ],
        { expectedVersion: 'no_stream' },
      );
      const reader = new ReadModelReader(project.projection, {
        client: tables.client,
        tableName: tables.projectionTables.readModel,
      });
      const summary = await waitFor(
        async () => {
          const item = await reader.get({ pk: 'account#acc-1', sk: 'summary' });
          return item?.balance === 42 ? item : undefined;
        },
        { timeoutMs: 20_000, description: 'the projected account' },
      );
      expect(summary).toMatchObject({ owner: 'ann', deposits: 1 });
    } finally {
      await running.stop();
    }
  });

  it('refuses a declaration whose module does not export the handler', async () => {
    await expect(
      startStreamConsumers({
        client: tables.client,
        endpoint: tables.endpoint,
        tableNames: tables.names,
        failuresDir,
        checkpointTable: `${tables.names.events}-checkpoints`,
        consumers: [consumer],
        functions: { balances: { ...declaration, handler: 'missing' } },
      }),
    ).rejects.toThrow("test/support/balance-handler.ts does not export a function named 'missing'");
  });
});
