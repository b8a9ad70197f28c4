import type { BenchEnvironment } from '../environment';
import { countRequests, type CountedRequest } from '../request-counter';
import type { BenchSettings } from '../settings';
import { spread, type Spread } from '../stats';
import { cases, type Case, type RequestMinimum } from './request-cases';
import { itemSizes, type ItemSizes } from './request-item-sizes';

/** Requests and capacity of one operation, next to the least any store could spend on it. */
export interface RequestsResult {
  readonly operation: string;
  readonly description: string;
  /** The requests one run sent, in order (identical in every run unless `requests` varies). */
  readonly requestSequence: readonly string[];
  readonly requests: Spread;
  readonly reported: { readonly read: Spread; readonly write: Spread };
  readonly byRules: { readonly read: Spread; readonly write: Spread };
  readonly minimum: RequestMinimum;
}

const sum = (
  requests: readonly CountedRequest[],
  kind: 'read' | 'write',
  pick: (r: CountedRequest) => number | undefined,
) => requests.filter((r) => r.kind === kind).reduce((total, r) => total + (pick(r) ?? 0), 0);

/** Section 2: every request of each operation counted by an SDK middleware, several runs. */
export async function measureRequests(
  env: BenchEnvironment,
  settings: BenchSettings,
): Promise<{ sizes: ItemSizes; operations: RequestsResult[] }> {
  const all = cases(env);
  const runs = new Map<Case, CountedRequest[][]>(all.map((c) => [c, []]));
  for (let run = 0; run < settings.capacityRuns; run++) {
    for (const testCase of all) {
      const call = await testCase.prepare(run);
      const counted = countRequests(env.client, { returnConsumedCapacity: true });
      try {
        await call();
      } finally {
        counted.stop();
      }
      runs.get(testCase)!.push(counted.requests);
    }
  }
  const sizes = await itemSizes(env);
  const operations = all.map((testCase): RequestsResult => {
    const perRun = runs.get(testCase)!;
    const over = (value: (requests: CountedRequest[]) => number) => spread(perRun.map(value));
    return {
      operation: testCase.operation,
      description: testCase.description,
      requestSequence: perRun[0]!.map((r) => r.command.replace(/Command$/, '')),
      requests: over((requests) => requests.length),
      reported: {
        read: over((requests) => sum(requests, 'read', (r) => r.reportedCapacity)),
        write: over((requests) => sum(requests, 'write', (r) => r.reportedCapacity)),
      },
      byRules: {
        read: over((requests) => sum(requests, 'read', (r) => r.capacityByRules)),
        write: over((requests) => sum(requests, 'write', (r) => r.capacityByRules)),
      },
      minimum: testCase.minimum(sizes),
    };
  });
  return { sizes, operations };
}
