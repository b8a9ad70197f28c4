import {
  GlobalLogReader,
  createGlobalLogIndexerHandler,
  type GlobalLogTables,
} from '../../functions/eventsourcing/global-log';
import type { TableKey } from '../../functions/system';
import { measureConsumerRuns, type ConsumerRun, type ConsumerSection } from '../consumer-runs';
import type { BenchEnvironment } from '../environment';
import type { BenchSettings } from '../settings';
import { spread, type Spread } from '../stats';

/** Section 7: the global log's indexer fed by the local stream runner, and its reader. */
export interface GlobalLogResult extends ConsumerSection {
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
  /** The whole log read back from position 0, 500 events a read. */
  readonly readPerSecond: Spread;
  /** Events per page (per page-append transaction) over the run. */
  readonly eventsPerPage: Spread;
}

const HOST = 'reactions';

const logTablesOf = (tables: Record<TableKey, string>): GlobalLogTables => ({
  globalLog: tables.globalLog,
  events: tables.events,
});

interface RunResult extends ConsumerRun {
  readonly readPerSecond: number;
  readonly eventsPerPage: number;
}

/** Reads the whole log back, then tells how full its pages are. */
async function readBack(
  env: BenchEnvironment,
  run: ConsumerRun,
  tables: Record<TableKey, string>,
): Promise<RunResult> {
  const reader = new GlobalLogReader({ client: env.client, tables: logTablesOf(tables) });
  const reading = Date.now();
  let after = 0;
  for (;;) {
    const { next } = await reader.read({ after, limit: 500 });
    if (next === after) break;
    after = next;
  }
  const readPerSecond = after / ((Date.now() - reading) / 1000);
  const head = await reader.head();
  return { ...run, readPerSecond, eventsPerPage: head.lastPosition / head.pages };
}

export async function measureGlobalLog(
  env: BenchEnvironment,
  settings: BenchSettings,
): Promise<GlobalLogResult> {
  // The indexer alone, with the settings of the host it runs in.
  const measured = await measureConsumerRuns(env, settings, {
    name: 'global-log',
    host: HOST,
    handler: (tables) =>
      createGlobalLogIndexerHandler({ client: env.client, tables: logTablesOf(tables) }),
    after: (run, tables) => readBack(env, run, tables),
  });
  const of = (pick: (run: RunResult) => number) => spread(measured.runs.map(pick));
  return {
    host: HOST,
    settings: measured.settings,
    events: settings.projections.events,
    streams: settings.projections.streams,
    runs: measured.runs.length,
    writtenWithoutConsumerPerSecond: of((r) => r.writtenWithoutConsumerPerSecond),
    catchUpIndexedPerSecond: of((r) => r.catchUpPerSecond),
    keepsUp: of((r) => r.catchUpPerSecond / r.writtenWithoutConsumerPerSecond),
    live: {
      writtenPerSecond: of((r) => r.writtenPerSecond),
      indexedPerSecond: of((r) => r.handledPerSecond),
      lagP50Ms: of((r) => r.lagP50Ms),
      lagP99Ms: of((r) => r.lagP99Ms),
    },
    readPerSecond: of((r) => r.readPerSecond),
    eventsPerPage: of((r) => r.eventsPerPage),
  };
}
