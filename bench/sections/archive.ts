import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../functions/eventsourcing/aws';
import { EventArchive, StreamArchiver } from '../../functions/eventsourcing/archive';
import { startLocalS3 } from '../../local/s3/server';
import type { BenchEnvironment } from '../environment';
import { burst } from '../load-generator';
import { countRequests } from '../request-counter';
import { frameworkStores, seedSnapshot, seedStream } from '../seed';
import type { ArchiveSettings, BenchSettings } from '../settings';
import { EVENT_METADATA, WorkerStreams, depositEvent } from '../workload';
import { measureArchiveLoads, type ArchiveLoad, type ArchiveLoadSide } from './archive-loads';
import { measureHotPath, type HotPathResult, type HotPathWork } from './archive-hot-path';
import {
  archiveFootprint,
  tableFootprint,
  type ArchiveFootprint,
  type TableFootprint,
} from './archive-storage';
import { countS3, s3Calls, type ServiceCalls } from './history-counters';
import { loadAverage } from './history';
import { rig } from './history-sealing';
import { createHistoryTables, SeededHistory, type HistoryTables } from './history-seeding';

/** Section 12: what archiving saves in storage, what it costs reads, and what it costs appends. */
export interface ArchiveResult {
  readonly measuredAt: string;
  readonly durationSeconds: number;
  readonly mode: BenchSettings['mode'];
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly settings: ArchiveSettings;
  /** The measured history's streams in the events table before and after one archive run. */
  readonly storage: {
    readonly streams: number;
    readonly events: number;
    readonly before: TableFootprint;
    readonly after: TableFootprint;
    readonly segments: ArchiveFootprint;
  };
  /** That archive run, alone on the machine's services. */
  readonly run: {
    readonly streams: number;
    readonly events: number;
    readonly ms: number;
    /** Requests the run sent per stream it archived. */
    readonly dynamoDbRequestsPerStream: number;
    readonly s3PerStream: ServiceCalls['s3'];
  };
  readonly loads: { readonly length: number } & Record<ArchiveLoadSide, ArchiveLoad>;
  readonly hotPath: HotPathResult;
}

/** The streams of the measured history, and the prefix of each concurrent run's streams. */
const HISTORY_PREFIX = 'account-';
const runPrefix = (run: number) => `run-${run}-`;
const QUIET = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** An archiver that archives every stream starting with `prefix`, and no other. */
const archiverOf =
  (env: BenchEnvironment, tables: HistoryTables, archive: EventArchive) => (prefix: string) =>
    new StreamArchiver({
      client: env.client,
      tables: { events: tables.events, seals: tables.seals },
      archive,
      rules: [{ streamPrefix: prefix, inactiveDays: 0 }],
      log: QUIET,
    });

/** Seeds and seals the measured history and one history per concurrent archive run. */
async function seedHistories(
  env: BenchEnvironment,
  s3: S3Client,
  tables: HistoryTables,
  settings: ArchiveSettings,
): Promise<void> {
  const keyDirectory = mkdtempSync(path.join(os.tmpdir(), 'bench-archive-signing-'));
  try {
    const { history, sealer } = await rig(
      { dynamoDb: env.client, s3 },
      tables,
      settings.streams,
      keyDirectory,
    );
    await history.add(settings.streams * settings.eventsPerStream);
    for (let run = 0; run < settings.hotPathRuns; run++) {
      const seeded = new SeededHistory(env.client, tables, settings.streamsPerRun, runPrefix(run));
      await seeded.add(settings.streamsPerRun * settings.eventsPerStream);
    }
    await sealer.seal();
  } finally {
    rmSync(keyDirectory, { recursive: true, force: true });
  }
}

/** The measured history's archive run, timed and its requests counted. */
async function measuredRun(
  env: BenchEnvironment,
  s3: S3Client,
  archiver: StreamArchiver,
  settings: ArchiveSettings,
): Promise<ArchiveResult['run']> {
  const dynamoDb = countRequests(env.client);
  const s3Counter = countS3(s3);
  try {
    const started = performance.now();
    const run = await archiver.run();
    const ms = performance.now() - started;
    if (run.streams.length !== settings.streams) {
      throw new Error(`archived ${run.streams.length} of ${settings.streams} streams`);
    }
    const calls = s3Calls(s3Counter.commands);
    const perStream = (count: number) => count / run.streams.length;
    return {
      streams: run.streams.length,
      events: run.events,
      ms,
      dynamoDbRequestsPerStream: perStream(dynamoDb.commands.length),
      s3PerStream: {
        put: perStream(calls.put),
        get: perStream(calls.get),
        list: perStream(calls.list),
      },
    };
  } finally {
    dynamoDb.stop();
    s3Counter.stop();
  }
}

/** Appends to streams of their own and loads of streams no run archives, per worker. */
async function hotPathWork(
  stores: ReturnType<typeof frameworkStores>,
  settings: BenchSettings,
): Promise<HotPathWork> {
  const loaded = (worker: number) => `hot-load-${worker}`;
  for (let worker = 0; worker < settings.archive.hotPathWorkers; worker++) {
    await seedStream(stores.store, loaded(worker), settings.archive.eventsPerStream);
  }
  const streams = new WorkerStreams('hot-append', settings.commandStreamLength);
  return {
    append: (worker) => {
      const { streamId, version } = streams.next(worker);
      return stores.store.append(streamId, [depositEvent(100)], {
        expectedVersion: version,
        metadata: EVENT_METADATA,
      });
    },
    load: (worker) => stores.withoutSnapshots.load(loaded(worker)),
  };
}

/**
 * Runs on a DynamoDB Local of its own with the local S3 server (in this process): seeds and
 * seals histories, measures the table before and after archiving one, that run's throughput,
 * loads of its streams against a hot one, then the hot path without and with archive runs.
 */
export async function measureArchive(
  env: BenchEnvironment,
  settings: BenchSettings,
  progress: (message: string) => void,
): Promise<ArchiveResult> {
  const started = performance.now();
  const measuredAt = new Date().toISOString();
  const loadAtStart = loadAverage();
  const { archive: a } = settings;
  const tables = await createHistoryTables(env.client, 'bench-archive-');
  const s3Server = await startLocalS3();
  // The local S3 server, in this process beside the benchmark, now and then answers an archive
  // run's request with an internal error when the machine is busy: retried, as in AWS, longer.
  const s3 = createS3Client({ endpoint: s3Server.endpoint, maxAttempts: 8 });
  try {
    const bucket = 'bench-archive';
    await s3.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
    const archive = new EventArchive(s3, bucket);
    const archiver = archiverOf(env, tables, archive);
    const stores = frameworkStores(env.client, tables, { archive: () => Promise.resolve(archive) });
    progress(`section 12: seeding and sealing ${a.streams} streams of ${a.eventsPerStream} events`);
    await seedHistories(env, s3, tables, a);
    await seedStream(stores.store, 'load-hot', a.eventsPerStream);
    await seedSnapshot(stores, `${HISTORY_PREFIX}0`, a.eventsPerStream - 1);
    const before = await tableFootprint(env.client, tables.events, HISTORY_PREFIX);
    progress('section 12: archiving the history');
    const run = await measuredRun(env, s3, archiver(HISTORY_PREFIX), a);
    const after = await tableFootprint(env.client, tables.events, HISTORY_PREFIX);
    const segments = await archiveFootprint(s3, bucket, HISTORY_PREFIX);
    progress('section 12: loads of archived streams');
    const loads = await measureArchiveLoads(
      { dynamoDb: env.client, s3 },
      stores,
      {
        length: a.eventsPerStream,
        hot: 'load-hot',
        archivedWithSnapshot: `${HISTORY_PREFIX}0`,
        archivedWithoutSnapshot: `${HISTORY_PREFIX}1`,
      },
      a.loadRepetitions,
    );
    progress('section 12: the hot path without and with an archive run going on');
    const work = await hotPathWork(stores, settings);
    await burst(a.hotPathWorkers, settings.warmupMs, (worker) =>
      Promise.all([work.append(worker), work.load(worker)]),
    );
    const hotPath = await measureHotPath(
      work,
      { runs: a.hotPathRuns, workers: a.hotPathWorkers, sliceMs: a.hotPathSliceMs },
      a.streamsPerRun,
      async (n) => {
        const concurrent = await archiver(runPrefix(n)).run();
        if (concurrent.streams.length !== a.streamsPerRun) {
          throw new Error(`run ${n} archived ${concurrent.streams.length} of ${a.streamsPerRun}`);
        }
        return concurrent;
      },
    );
    return {
      measuredAt,
      durationSeconds: (performance.now() - started) / 1000,
      mode: settings.mode,
      loadAverage: { start: loadAtStart, end: loadAverage() },
      settings: a,
      storage: {
        streams: a.streams,
        events: a.streams * a.eventsPerStream,
        before,
        after,
        segments,
      },
      run,
      loads: { length: a.eventsPerStream, ...loads },
      hotPath,
    };
  } finally {
    s3.destroy();
    await s3Server.stop();
  }
}
