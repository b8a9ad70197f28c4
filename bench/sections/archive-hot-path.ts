import { performance } from 'node:perf_hooks';
import type { ArchiveRun } from '../../functions/eventsourcing/archive';
import { interleave, pairwiseRatio } from '../interleave';
import { spread, type Spread } from '../stats';

/** The hot path: appends and loads of streams no archive run touches. */
export interface HotPathWork {
  append(worker: number): Promise<unknown>;
  load(worker: number): Promise<unknown>;
}

export interface HotPathResult {
  readonly runs: number;
  readonly workers: number;
  readonly sliceMs: number;
  readonly appendsPerSecond: { readonly idle: Spread; readonly archiving: Spread };
  readonly loadsPerSecond: { readonly idle: Spread; readonly archiving: Spread };
  /** Per run, the rate while an archive run was going on over the rate without. */
  readonly appendRatio: Spread;
  readonly loadRatio: Spread;
  /** How long the slices with an archive run lasted (they end with the run). */
  readonly archivingSliceMs: Spread;
  /** The concurrent archive runs: streams each moved, and their events per second. */
  readonly streamsPerRun: number;
  readonly archiveEventsPerSecond: Spread;
}

interface Slice {
  readonly elapsedMs: number;
  readonly appends: number;
  readonly loads: number;
  /** The archive run going on meanwhile: events it moved, and its milliseconds from the start. */
  readonly archive?: { readonly events: number; readonly ms: number };
}

/**
 * `workers` appending and as many loading until `durationMs` has passed or `archiving`
 * settles, whichever comes first; operations already started are awaited and counted.
 */
async function slice(
  work: HotPathWork,
  workers: number,
  durationMs: number,
  archiving?: Promise<ArchiveRun>,
): Promise<Slice> {
  let stopped = false;
  const started = performance.now();
  // Settled either way: a failed run stops the slice and is thrown once the workers are done.
  const archived = archiving?.then(
    (run) => {
      stopped = true;
      return { events: run.events, ms: performance.now() - started };
    },
    (error: unknown) => {
      stopped = true;
      return error instanceof Error ? error : new Error(String(error));
    },
  );
  const going = () => !stopped && performance.now() - started < durationMs;
  let appends = 0;
  let loads = 0;
  const loop = async (operation: () => Promise<unknown>, counted: () => void) => {
    while (going()) {
      await operation();
      counted();
    }
  };
  await Promise.all(
    Array.from({ length: workers }, (_, worker) => [
      loop(
        () => work.append(worker),
        () => (appends += 1),
      ),
      loop(
        () => work.load(worker),
        () => (loads += 1),
      ),
    ]).flat(),
  );
  const elapsedMs = performance.now() - started;
  const archive = await archived;
  if (archive instanceof Error) throw archive;
  return { elapsedMs, appends, loads, ...(archive ? { archive } : {}) };
}

/**
 * Runs of two slices, one without and one with an archive run going on (`startArchiveRun(run)`
 * archives streams of its own for run `run`), their order rotating from run to run. A slice with
 * an archive run ends when the run does (or at `sliceMs`, after which the run is awaited), so
 * the hot path is measured only while archiving.
 */
export async function measureHotPath(
  work: HotPathWork,
  options: { readonly runs: number; readonly workers: number; readonly sliceMs: number },
  streamsPerRun: number,
  startArchiveRun: (run: number) => Promise<ArchiveRun>,
): Promise<HotPathResult> {
  const { runs, workers, sliceMs } = options;
  const slices = await interleave(['idle', 'archiving'] as const, runs, (side, run) =>
    slice(work, workers, sliceMs, side === 'archiving' ? startArchiveRun(run) : undefined),
  );
  const rate = (count: (s: Slice) => number, side: 'idle' | 'archiving') =>
    slices[side].map((s) => count(s) / (s.elapsedMs / 1000));
  const appends = (s: Slice) => s.appends;
  const loads = (s: Slice) => s.loads;
  return {
    runs,
    workers,
    sliceMs,
    appendsPerSecond: {
      idle: spread(rate(appends, 'idle')),
      archiving: spread(rate(appends, 'archiving')),
    },
    loadsPerSecond: {
      idle: spread(rate(loads, 'idle')),
      archiving: spread(rate(loads, 'archiving')),
    },
    appendRatio: pairwiseRatio(rate(appends, 'archiving'), rate(appends, 'idle')),
    loadRatio: pairwiseRatio(rate(loads, 'archiving'), rate(loads, 'idle')),
    archivingSliceMs: spread(slices.archiving.map((s) => s.elapsedMs)),
    streamsPerRun,
    archiveEventsPerSecond: spread(
      slices.archiving.map((s) => (s.archive ? s.archive.events / (s.archive.ms / 1000) : 0)),
    ),
  };
}
