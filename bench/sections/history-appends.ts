import { randomUUID } from 'node:crypto';
import { EventStore } from '../../functions/eventsourcing';
import { itemHashing } from '../../functions/eventsourcing/event-items';
import type { BenchEnvironment } from '../environment';
import { groupIntoRuns, interleave, pairwiseRatio } from '../interleave';
import { burst, type Burst } from '../load-generator';
import type { BenchSettings } from '../settings';
import { quantile, spread, type Spread } from '../stats';
import { EVENT_METADATA, benchEvents, depositEvent } from '../workload';

/**
 * Section 9, appends: the same `EventStore.append` with hashing and with hashing short-circuited
 * (`itemHashing`, the one seam in event-items.ts), and a second hashed side as the control.
 */
export const HASHING_SIDES = ['hashed', 'unhashed', 'hashedControl'] as const;

export type HashingSide = (typeof HASHING_SIDES)[number];

export interface HashingSideSummary {
  readonly opsPerSecond: Spread;
  /** CPU time of this Node.js process per append (the SDK, the store, hashing or not). */
  readonly cpuMicrosPerAppend: Spread;
  readonly p50Ms: Spread;
  readonly p99Ms: Spread;
  readonly operations: number;
}

export interface HashingAppendResult {
  readonly concurrency: number;
  readonly sides: Record<HashingSide, HashingSideSummary>;
  /** Appends per second with hashing ÷ without it, paired per run. */
  readonly withVersusWithout: Spread;
  /** The second hashed side ÷ the first: how far two identical sides land apart (noise floor). */
  readonly control: Spread;
}

/**
 * What the short-circuited side stores as `h`: 64 hex digits like a real hash, so its items are
 * byte for byte as large as hashed ones and its requests identical.
 */
export const STAND_IN_HASH = 'f'.repeat(64);

interface Slice extends Burst {
  /** CPU microseconds this process spent during the slice. */
  readonly cpuMicros: number;
}

async function timedSlice(run: () => Promise<Burst>): Promise<Slice> {
  const cpu = process.cpuUsage();
  const measured = await run();
  const used = process.cpuUsage(cpu);
  return { ...measured, cpuMicros: used.user + used.system };
}

/** Runs `body` with hashing short-circuited; nothing else runs meanwhile (slices take turns). */
async function withoutHashing<T>(body: () => Promise<T>): Promise<T> {
  const real = itemHashing.hash;
  itemHashing.hash = () => STAND_IN_HASH;
  try {
    return await body();
  } finally {
    itemHashing.hash = real;
  }
}

/** Events a worker appends to one stream before it moves to a fresh one. */
export const STREAM_LENGTH = 10;

/**
 * Per worker, a stream under a random name, renewed every `STREAM_LENGTH` events: every side's
 * writes land all over the table's key order, never at one end of it for a whole run.
 */
class ScatteredStreams {
  private readonly current: { streamId: string; version: number }[] = [];

  /** The stream worker `worker` writes next, and how many events it already holds. */
  next(worker: number): { streamId: string; version: number } {
    let stream = this.current[worker];
    if (!stream || stream.version >= STREAM_LENGTH) {
      stream = { streamId: `history-${randomUUID()}`, version: 0 };
      this.current[worker] = stream;
    }
    return { streamId: stream.streamId, version: stream.version++ };
  }
}

function appendOperations(env: BenchEnvironment, concurrency: number) {
  const store = new EventStore({
    client: env.client,
    tableName: env.tables.events,
    catalogue: benchEvents,
  });
  const operation = () => {
    const streams = new ScatteredStreams();
    return async (worker: number) => {
      const { streamId, version } = streams.next(worker);
      await store.append(streamId, [depositEvent(100)], {
        expectedVersion: version,
        metadata: EVENT_METADATA,
      });
    };
  };
  const ops = Object.fromEntries(HASHING_SIDES.map((side) => [side, operation()])) as Record<
    HashingSide,
    (worker: number) => Promise<void>
  >;
  return (side: HashingSide, durationMs: number): Promise<Slice> => {
    const run = () => timedSlice(() => burst(concurrency, durationMs, ops[side]));
    return side === 'unhashed' ? withoutHashing(run) : run();
  };
}

function summariseRun(slices: readonly Slice[]) {
  const latencies = slices.flatMap((slice) => slice.latencies);
  const elapsedMs = slices.reduce((sum, slice) => sum + slice.elapsedMs, 0);
  const cpuMicros = slices.reduce((sum, slice) => sum + slice.cpuMicros, 0);
  return {
    operations: latencies.length,
    opsPerSecond: latencies.length / (elapsedMs / 1000),
    cpuMicrosPerAppend: cpuMicros / latencies.length,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
  };
}

type RunSummary = ReturnType<typeof summariseRun>;

function summariseSide(perRun: readonly RunSummary[]): HashingSideSummary {
  const of = (pick: (run: RunSummary) => number) => spread(perRun.map(pick));
  return {
    opsPerSecond: of((r) => r.opsPerSecond),
    cpuMicrosPerAppend: of((r) => r.cpuMicrosPerAppend),
    p50Ms: of((r) => r.p50Ms),
    p99Ms: of((r) => r.p99Ms),
    operations: perRun.reduce((sum, r) => sum + r.operations, 0),
  };
}

/**
 * Interleaved as in section 1: slices of `sliceMs` in which one side runs at `concurrency`, in
 * a random order per slot; `appendRuns` runs of `appendSlicesPerRun` slices per side; ratios paired per
 * run.
 */
export async function measureHashingAppends(
  env: BenchEnvironment,
  settings: BenchSettings,
  concurrency: number,
): Promise<HashingAppendResult> {
  const slice = appendOperations(env, concurrency);
  for (const side of HASHING_SIDES) await slice(side, settings.warmupMs);
  const runs = settings.history.appendRuns;
  const slices = await interleave<HashingSide, Slice>(
    HASHING_SIDES,
    runs * settings.history.appendSlicesPerRun,
    (side) => slice(side, settings.sliceMs),
    'shuffle',
  );
  const perRun = Object.fromEntries(
    HASHING_SIDES.map((side) => [side, groupIntoRuns(slices[side], runs).map(summariseRun)]),
  ) as Record<HashingSide, RunSummary[]>;
  const rates = (side: HashingSide) => perRun[side].map((r) => r.opsPerSecond);
  return {
    concurrency,
    sides: Object.fromEntries(
      HASHING_SIDES.map((side) => [side, summariseSide(perRun[side])]),
    ) as Record<HashingSide, HashingSideSummary>,
    withVersusWithout: pairwiseRatio(rates('hashed'), rates('unhashed')),
    control: pairwiseRatio(rates('hashedControl'), rates('hashed')),
  };
}
