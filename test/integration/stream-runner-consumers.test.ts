import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStore, ReadModelReader } from '../../functions/eventsourcing';
import {
  tableNameEnvVar,
  type FunctionDeclaration,
} from '../../functions/eventsourcing/declaration';
import { startStreamConsumers, type StreamHostSettings } from '../../local/stream-consumers';
import { waitFor } from '../../local/wait-for';
import { balanceProjection } from '../support/balance-projection';
import { balanceEvents } from '../support/test-events';
import {
  createProjectionTestTables,
  type ProjectionTestTables,
} from '../support/projection-fixture';

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

const host: StreamHostSettings = {
  description: 'Test host',
  source: 'events',
  entry: declaration.entry,
  memoryMb: 256,
  timeoutSeconds: 30,
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  maxRetryAttempts: 5,
  maxRecordAgeSeconds: -1,
  bisectBatchOnError: true,
  parallelizationFactor: 1,
  startingPosition: 'TRIM_HORIZON',
};

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

/** The local stack's stream readers for the given hosts, on this file's tables. */
const startHosts = (
  hosts: Record<string, StreamHostSettings>,
  functions: Record<string, FunctionDeclaration>,
) =>
  startStreamConsumers({
    client: tables.client,
    endpoint: tables.endpoint,
    tableNames: tables.names,
    failuresDir,
    checkpointTable: `${tables.names.events}-checkpoints`,
    hosts,
    functions,
    pollIntervalMs: 20,
  });

describe('stream consumers of the local stack', () => {
  it('run each declared stream host with the handler its function declaration names', async () => {
    const running = await startHosts({ balances: host }, { balances: declaration });
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
      const reader = new ReadModelReader(balanceProjection({ name: 'declared' }), {
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
      startHosts({ balances: host }, { balances: { ...declaration, handler: 'missing' } }),
    ).rejects.toThrow("test/support/balance-handler.ts does not export a function named 'missing'");
  });

  it('refuses a third reader of one table stream, naming the stream and its readers', async () => {
    await expect(
      startHosts(
        { projections: host, reactions: host, audit: host },
        { projections: declaration, reactions: declaration, audit: declaration },
      ),
    ).rejects.toThrow(
      'the stream of table events has 3 readers (projections, reactions, audit); AWS allows at most 2',
    );
  });
});
