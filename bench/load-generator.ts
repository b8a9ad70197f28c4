import { performance } from 'node:perf_hooks';

/** One timed burst of an operation. */
export interface Burst {
  readonly elapsedMs: number;
  /** Latency of every call that completed, in milliseconds. */
  readonly latencies: readonly number[];
}

/**
 * Runs `operation` from `concurrency` workers, each starting its next call as soon as the last
 * one settles, until `durationMs` has passed; calls already started are awaited and counted.
 * `operation` receives the worker's index so each worker can keep to its own stream.
 */
export async function burst(
  concurrency: number,
  durationMs: number,
  operation: (worker: number) => Promise<unknown>,
): Promise<Burst> {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (performance.now() < deadline) {
        const begin = performance.now();
        await operation(worker);
        latencies.push(performance.now() - begin);
      }
    }),
  );
  return { elapsedMs: performance.now() - started, latencies };
}

/** Wall-clock milliseconds of one call. */
export async function timed(operation: () => Promise<unknown>): Promise<number> {
  const begin = performance.now();
  await operation();
  return performance.now() - begin;
}
