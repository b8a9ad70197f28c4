import { performance } from 'node:perf_hooks';
import { groupIntoRuns } from '../interleave';
import { quantile, spread, type Spread } from '../stats';
import type { Subject } from './personal-data-events';
import { noCosts, type KeyCosts, type Probes } from './personal-data-probes';

/** One side's figures for one operation, over every run. */
export interface PersonalSideSummary {
  readonly opsPerSecond: Spread;
  readonly p50Ms: Spread;
  readonly p99Ms: Spread;
  /** CPU time of this Node.js process per operation. */
  readonly cpuMicrosPerOp: Spread;
  /** Requests and master key calls per operation, over every run. */
  readonly perOp: KeyCosts;
  readonly operations: number;
}

/** One side's operations in one slot: timed, and what they cost beyond their events. */
export interface Batch {
  readonly elapsedMs: number;
  readonly latencies: readonly number[];
  readonly cpuMicros: number;
  readonly costs: KeyCosts;
}

/** Runs `operation` on every subject from `concurrency` workers; counts what it cost. */
export async function batch(
  subjects: readonly Subject[],
  operation: (s: Subject) => Promise<unknown>,
  concurrency: number,
  probes: Probes,
): Promise<Batch> {
  probes.current = noCosts();
  const latencies: number[] = [];
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < subjects.length) {
        const subject = subjects[next++]!;
        const begin = performance.now();
        await operation(subject);
        latencies.push(performance.now() - begin);
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { elapsedMs, latencies, cpuMicros: used.user + used.system, costs: probes.current };
}

/** One run's figures from its batches. */
export function summariseRun(batches: readonly Batch[]) {
  const latencies = batches.flatMap((b) => b.latencies);
  const elapsedMs = batches.reduce((sum, b) => sum + b.elapsedMs, 0);
  return {
    operations: latencies.length,
    opsPerSecond: latencies.length / (elapsedMs / 1000),
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    cpuMicrosPerOp: batches.reduce((sum, b) => sum + b.cpuMicros, 0) / latencies.length,
  };
}

function perOperation(batches: readonly Batch[]): KeyCosts {
  const operations = batches.reduce((sum, b) => sum + b.latencies.length, 0);
  const costs = noCosts();
  for (const key of Object.keys(costs) as (keyof KeyCosts)[]) {
    costs[key] = batches.reduce((sum, b) => sum + b.costs[key], 0) / operations;
  }
  return costs;
}

export function summariseSide(batches: readonly Batch[], runs: number): PersonalSideSummary {
  const perRun = groupIntoRuns(batches, runs).map(summariseRun);
  const of = (pick: (r: ReturnType<typeof summariseRun>) => number) => spread(perRun.map(pick));
  return {
    opsPerSecond: of((r) => r.opsPerSecond),
    p50Ms: of((r) => r.p50Ms),
    p99Ms: of((r) => r.p99Ms),
    cpuMicrosPerOp: of((r) => r.cpuMicrosPerOp),
    perOp: perOperation(batches),
    operations: perRun.reduce((sum, r) => sum + r.operations, 0),
  };
}
