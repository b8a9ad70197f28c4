import type { GlobalLogReader } from '../../functions/eventsourcing/global-log';

export interface RateBucket {
  /** Start of the bucket (ISO time). */
  readonly at: string;
  readonly events: number;
}

const BUCKET_MS = 10_000;
const BUCKETS = 30;

/** Events appended per 10 seconds over the last 5 minutes, from the newest 1,000 of the log. */
export async function appendRate(log: GlobalLogReader, now = Date.now()): Promise<RateBucket[]> {
  const { lastPosition } = await log.head();
  const { events } = await log.references({ after: Math.max(0, lastPosition - 1000), limit: 1000 });
  const end = Math.floor(now / BUCKET_MS) * BUCKET_MS;
  const start = end - (BUCKETS - 1) * BUCKET_MS;
  const counts = new Array<number>(BUCKETS).fill(0);
  for (const { recordedAt } of events) {
    const index = Math.floor((Date.parse(recordedAt) - start) / BUCKET_MS);
    if (index >= 0 && index < BUCKETS) counts[index]! += 1;
  }
  return counts.map((count, index) => ({
    at: new Date(start + index * BUCKET_MS).toISOString(),
    events: count,
  }));
}
