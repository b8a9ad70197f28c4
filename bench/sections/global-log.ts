import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  EventStore,
  GlobalLogReader,
  createGlobalLogIndexerHandler,
  type GlobalLogTables,
} from '../../functions/eventsourcing';
import {
  functions,
  prefixedTableNames,
  streamConsumers,
  type StreamConsumerDeclaration,
  type TableKey,
} from '../../functions/system';
import { FailureDirectory } from '../../local/failure-destination';
import { StreamCheckpoints } from '../../local/stream-checkpoints';
import { createStreamsClient } from '../../local/stream-consumers';
import { StreamRunner, type StreamHandler } from '../../local/stream-runner';
import { createTables, latestStreamArn } from '../../local/tables';
import { waitFor } from '../../local/wait-for';
import { writeFirstItem, type BenchEnvironment } from '../environment';
import type { BenchSettings } from '../settings';
import { quantile, spread, type Spread } from '../stats';
import { AppliedEvents, writeAccounts } from './projections';

/** Section 7: the global log's indexer fed by the local stream runner, and its reader. */
export interface GlobalLogResult {
  readonly consumer: string;
  readonly settings: Pick<StreamConsumerDeclaration, 'batchSize' | 'maxBatchingWindowSeconds'>;
  readonly events: number;
  readonly streams: number;
  readonly runs: number;
  /** Events written per second while no consumer reads the stream: the append rate. */
  readonly writtenWithoutConsumerPerSecond: Spread;
  /** Events already in the stream when the indexer starts: how fast it works off a backlog. */
  readonly catchUpIndexedPerSecond: Spread;
  /** Catch-up rate ÷ append rate, per run: above 1 the log keeps up with the writers. */
  readonly keepsUp: Spread;
  /** Events written while the indexer runs: the rate they got positions at, and their lag. */
  readonly live: {
    readonly writtenPerSecond: Spread;
    readonly indexedPerSecond: Spread;
    readonly lagP50Ms: Spread;
    readonly lagP99Ms: Spread;
  };
  /** The whole log read back from position 0, 500 events a read, events upcast. */
  readonly readPerSecond: Spread;
  /** Events per page (per page-append transaction) over the run. */
  readonly eventsPerPage: Spread;
}

const CONSUMER = 'globalLogIndexer';
const consumer = streamConsumers.find((c) => c.function === CONSUMER)!;
const declaration = functions[CONSUMER];

interface RunResult {
  readonly writtenWithoutConsumerPerSecond: number;
  readonly catchUpIndexedPerSecond: number;
  readonly writtenPerSecond: number;
  readonly indexedPerSecond: number;
  readonly lagP50Ms: number;
  readonly lagP99Ms: number;
  readonly readPerSecond: number;
  readonly eventsPerPage: number;
}

async function oneRun(
  env: BenchEnvironment,
  settings: BenchSettings,
  run: number,
  tables: Record<TableKey, string>,
  checkpoints: StreamCheckpoints,
  failuresDir: string,
): Promise<RunResult> {
  const { events, streams } = settings.projections;
  const store = new EventStore({ client: env.client, tableName: tables.events });
  const logTables: GlobalLogTables = { globalLog: tables.globalLog, events: tables.events };
  const index = createGlobalLogIndexerHandler({ client: env.client, tables: logTables });
  const catchUp = new AppliedEvents();
  const live = new AppliedEvents();
  let phase = catchUp;
  const handler: StreamHandler = async (event) => {
    const response = await index(event);
    phase.record(event, response.batchItemFailures[0]?.itemIdentifier, Date.now());
    return response;
  };
  const streamsClient = createStreamsClient(env.endpoint);
  const runner = new StreamRunner({
    consumer: CONSUMER,
    streamArn: await latestStreamArn(env.client, tables.events),
    streams: streamsClient,
    handler,
    settings: consumer,
    checkpoints,
    failures: new FailureDirectory(failuresDir),
    functionName: CONSUMER,
    timeoutSeconds: declaration.timeoutSeconds,
    memoryMb: declaration.memoryMb,
  });
  const allIndexed = (indexed: AppliedEvents, what: string) =>
    waitFor(() => (indexed.count >= events ? true : undefined), {
      timeoutMs: 120_000,
      intervalMs: 20,
      description: `${events} ${what} events indexed`,
    });
  try {
    const backlog = Date.now();
    await writeAccounts(store, `catch-up-${run}`, streams, events);
    const started = Date.now();
    runner.start();
    await allIndexed(catchUp, 'catch-up');
    const catchUpIndexedPerSecond = events / ((catchUp.lastAt - started) / 1000);

    phase = live;
    const writing = Date.now();
    await writeAccounts(store, `live-${run}`, streams, events);
    const written = Date.now();
    await allIndexed(live, 'live');

    const reader = new GlobalLogReader({ client: env.client, tables: logTables });
    const reading = Date.now();
    let after = 0;
    for (;;) {
      const { next } = await reader.read({ after, limit: 500 });
      if (next === after) break;
      after = next;
    }
    const head = await reader.head();
    return {
      writtenWithoutConsumerPerSecond: events / ((started - backlog) / 1000),
      catchUpIndexedPerSecond,
      writtenPerSecond: events / ((written - writing) / 1000),
      indexedPerSecond: events / ((live.lastAt - writing) / 1000),
      lagP50Ms: quantile(live.lags, 0.5),
      lagP99Ms: quantile(live.lags, 0.99),
      readPerSecond: after / ((Date.now() - reading) / 1000),
      eventsPerPage: head.lastPosition / head.pages,
    };
  } finally {
    await runner.stop();
    streamsClient.destroy();
  }
}

export async function measureGlobalLog(
  env: BenchEnvironment,
  settings: BenchSettings,
): Promise<GlobalLogResult> {
  const failuresDir = mkdtempSync(path.join(os.tmpdir(), 'bench-global-log-failures-'));
  try {
    // Every run's tables are created and first written up front (see `writeFirstItem`).
    const tableSets = [];
    for (let run = 0; run <= settings.projections.runs; run++) {
      const tables = prefixedTableNames(`bench-global-log-${run}-`);
      await createTables(env.client, tables);
      const checkpoints = new StreamCheckpoints(env.client, `${tables.events}-checkpoints`);
      await checkpoints.ensureTable();
      for (const name of [...Object.values(tables), checkpoints.tableName]) {
        await writeFirstItem(env.client, name);
      }
      tableSets.push({ tables, checkpoints });
    }
    const runs: RunResult[] = [];
    // The first run only warms the JVM up.
    for (const [run, { tables, checkpoints }] of tableSets.entries()) {
      const result = await oneRun(env, settings, run, tables, checkpoints, failuresDir);
      if (run > 0) runs.push(result);
    }
    const of = (pick: (run: RunResult) => number) => spread(runs.map(pick));
    return {
      consumer: CONSUMER,
      settings: {
        batchSize: consumer.batchSize,
        maxBatchingWindowSeconds: consumer.maxBatchingWindowSeconds,
      },
      events: settings.projections.events,
      streams: settings.projections.streams,
      runs: runs.length,
      writtenWithoutConsumerPerSecond: of((r) => r.writtenWithoutConsumerPerSecond),
      catchUpIndexedPerSecond: of((r) => r.catchUpIndexedPerSecond),
      keepsUp: of((r) => r.catchUpIndexedPerSecond / r.writtenWithoutConsumerPerSecond),
      live: {
        writtenPerSecond: of((r) => r.writtenPerSecond),
        indexedPerSecond: of((r) => r.indexedPerSecond),
        lagP50Ms: of((r) => r.lagP50Ms),
        lagP99Ms: of((r) => r.lagP99Ms),
      },
      readPerSecond: of((r) => r.readPerSecond),
      eventsPerPage: of((r) => r.eventsPerPage),
    };
  } finally {
    rmSync(failuresDir, { recursive: true, force: true });
  }
}
