import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  AggregateRepository,
  CommandHandler,
  ConcurrencyError,
  EventStore,
  SnapshotStore,
  everyNEvents,
} from '../../functions/eventsourcing';
import { DEFAULT_RETRY } from '../../functions/eventsourcing/command-handler';
import type { BenchEnvironment } from '../environment';
import { interleave, pairwiseRatio } from '../interleave';
import { SNAPSHOT_INTERVAL, STATE_VERSION } from '../seed';
import type { BenchSettings } from '../settings';
import { quantile, spread, type Spread } from '../stats';
import { EVENT_METADATA, account, benchEvents, depositEvent } from '../workload';

/** Writers on one stream, each a command handler of its own (as one Lambda container each). */
export const CONTENTION_WRITERS = [1, 4, 16, 64] as const;

/** Writers of the row that share one command handler, whose per-stream queue makes them take turns. */
export const TURN_TAKING_WRITERS = 16;

/** The measured sides: writer counts, and 16 writers sharing a handler (`16-turns`). */
const SIDES = [...CONTENTION_WRITERS.map(String), `${TURN_TAKING_WRITERS}-turns`];

export interface ContentionRun {
  readonly writers: number;
  /**
   * The writers shared one command handler, as requests to one process do: its per-stream queue
   * runs one command on the stream at a time.
   */
  readonly takingTurns: boolean;
  /** Commands that committed, per second of the slice. */
  readonly commitsPerSecond: Spread;
  /** Commits/s over those of one writer, paired per run. */
  readonly commitsVersusOneWriter: Spread;
  /** Share of commands answered with a conflict (HTTP 409) once the retry budget was spent. */
  readonly conflictShare: Spread;
  readonly p50Ms: Spread;
  readonly p99Ms: Spread;
  /** Append attempts (conditional writes sent) per committed command. */
  readonly writesPerCommit: Spread;
  /** Events read from the events table per committed command (loads and catch-ups). */
  readonly eventsReadPerCommit: Spread;
  readonly commands: number;
  readonly conflicts: number;
}

export interface ContentionResult {
  /** The machine's one-minute load average when the section started. */
  readonly loadAverageAtStart: number;
  readonly sliceMs: number;
  readonly runs: number;
  readonly retry: { readonly maxAttempts: number; readonly budgetMs: number };
  readonly writers: readonly ContentionRun[];
}

interface Slice {
  readonly elapsedMs: number;
  readonly latencies: readonly number[];
  readonly commits: number;
  readonly conflicts: number;
  readonly writes: number;
  readonly eventsRead: number;
}

const WRITE_COMMANDS = new Set(['PutItemCommand', 'TransactWriteItemsCommand']);

/** What the writers of a slice sent to the events table: conditional writes, and events read. */
interface EventTableCounts {
  writes: number;
  eventsRead: number;
}

/**
 * Counts the client's requests to the events table until the returned function is called: the
 * writes (every append attempt), and the events its Queries return (a head read, which asks for
 * the version and hash only, reads no event).
 */
function countEventTableRequests(env: BenchEnvironment, counts: EventTableCounts): () => void {
  const name = `contention-counter-${randomUUID()}`;
  env.client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TableName?: string; ProjectionExpression?: string };
      const command = context.commandName ?? '';
      // A refused write throws: count it before sending.
      const written = command === 'PutItemCommand' ? input.TableName === env.tables.events : true;
      if (WRITE_COMMANDS.has(command) && written) counts.writes += 1;
      const result = await next(args);
      if (
        command === 'QueryCommand' &&
        input.TableName === env.tables.events &&
        input.ProjectionExpression === undefined
      ) {
        counts.eventsRead += (result.output as { Count?: number }).Count ?? 0;
      }
      return result;
    },
    { step: 'initialize', name },
  );
  return () => env.client.middlewareStack.remove(name);
}

/**
 * One slice: a fresh stream with one event, `writers` handlers each sending deposits to it one
 * after another until `durationMs` has passed (commands already started are awaited and counted).
 */
async function slice(
  env: BenchEnvironment,
  writers: number,
  durationMs: number,
  takingTurns = false,
): Promise<Slice> {
  const streamId = `contention-w${writers}-${randomUUID().slice(0, 8)}`;
  const tableName = env.tables.events;
  const newHandler = () => {
    const store = new EventStore({ client: env.client, tableName, catalogue: benchEvents });
    return new CommandHandler(
      new AggregateRepository(store, account, {
        store: new SnapshotStore(env.client, env.tables.snapshots),
        strategy: everyNEvents(SNAPSHOT_INTERVAL),
        stateVersion: STATE_VERSION,
      }),
    );
  };
  const shared = takingTurns ? newHandler() : undefined;
  const handlers = Array.from({ length: writers }, () => shared ?? newHandler());
  await handlers[0]!.repository.store.append(streamId, [depositEvent(100)], {
    expectedVersion: 'no_stream',
    metadata: EVENT_METADATA,
  });
  const counts: EventTableCounts = { writes: 0, eventsRead: 0 };
  const stopCounting = countEventTableRequests(env, counts);
  const latencies: number[] = [];
  let commits = 0;
  let conflicts = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  try {
    await Promise.all(
      handlers.map(async (handler) => {
        while (performance.now() < deadline) {
          const begin = performance.now();
          try {
            await handler.handle(
              streamId,
              { type: 'deposit', amount: 100 },
              { metadata: EVENT_METADATA },
            );
            commits += 1;
          } catch (error) {
            if (!(error instanceof ConcurrencyError)) throw error;
            conflicts += 1;
          }
          latencies.push(performance.now() - begin);
        }
      }),
    );
  } finally {
    stopCounting();
  }
  const elapsedMs = performance.now() - started;
  return { elapsedMs, latencies, commits, conflicts, ...counts };
}

const commitRate = (s: Slice) => s.commits / (s.elapsedMs / 1000);

function summarise(
  side: string,
  slices: readonly Slice[],
  oneWriter: readonly Slice[],
): ContentionRun {
  const per = (f: (s: Slice) => number) => spread(slices.map(f));
  return {
    writers: Number.parseInt(side, 10),
    takingTurns: side.endsWith('-turns'),
    commitsPerSecond: per(commitRate),
    commitsVersusOneWriter: pairwiseRatio(slices.map(commitRate), oneWriter.map(commitRate)),
    conflictShare: per((s) => s.conflicts / Math.max(1, s.commits + s.conflicts)),
    p50Ms: per((s) => quantile(s.latencies, 0.5)),
    p99Ms: per((s) => quantile(s.latencies, 0.99)),
    writesPerCommit: per((s) => s.writes / Math.max(1, s.commits)),
    eventsReadPerCommit: per((s) => s.eventsRead / Math.max(1, s.commits)),
    commands: slices.reduce((sum, s) => sum + s.commits + s.conflicts, 0),
    conflicts: slices.reduce((sum, s) => sum + s.conflicts, 0),
  };
}

/**
 * Contention: 1, 4, 16 and 64 writers on one stream, every writer a command handler of its own
 * with the default retry policy and snapshots, as Lambda containers would be; and 16 writers
 * sharing one command handler, as requests to one process do. The sides take turns slice by
 * slice; each figure is the median over runs.
 */
export async function measureContention(
  env: BenchEnvironment,
  settings: BenchSettings,
): Promise<ContentionResult> {
  const { sliceMs, runs } = settings.contention;
  const loadAverageAtStart = Number(loadavg()[0]!.toFixed(2));
  for (const writers of CONTENTION_WRITERS) await slice(env, writers, settings.warmupMs);
  const slices = await interleave(SIDES, runs, (side) =>
    slice(env, Number.parseInt(side, 10), sliceMs, side.endsWith('-turns')),
  );
  return {
    loadAverageAtStart,
    sliceMs,
    runs,
    retry: { maxAttempts: DEFAULT_RETRY.maxAttempts, budgetMs: DEFAULT_RETRY.budgetMs ?? 0 },
    writers: SIDES.map((side) => summarise(side, slices[side]!, slices['1']!)),
  };
}
