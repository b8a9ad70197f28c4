import {
  MAX_PAGE_BYTES,
  MAX_PAGE_ENTRIES,
  MAX_TRANSACTION_ITEMS,
  type Epochs,
  type LogHead,
  type PageEntry,
  type TypeEntry,
  type TypeTally,
} from './layout.js';

/** An event waiting for a position: only what the log keeps of it. */
export interface PendingEntry {
  readonly streamId: string;
  readonly version: number;
  readonly type: string;
  readonly recordedAt: string;
  /** The event's stored hash, sealed by checkpoints; absent for an event stored unhashed. */
  readonly hash?: string;
}

export interface MarkerMove {
  readonly streamId: string;
  /** The marker's version before the page (0: the stream has no marker yet). */
  readonly from: number;
  readonly to: number;
}

export interface TypePagePlan {
  readonly type: string;
  readonly sk: number;
  readonly previous: number;
  readonly entries: readonly TypeEntry[];
}

/** One page append: everything its transaction writes. */
export interface PagePlan {
  readonly epoch: number;
  readonly firstPosition: number;
  readonly entries: readonly PageEntry[];
  readonly typePages: readonly TypePagePlan[];
  readonly markers: readonly MarkerMove[];
  /** The head before the page (the transaction's condition) and after it. */
  readonly headBefore: LogHead;
  readonly headAfter: LogHead;
}

export interface PageLimits {
  readonly maxEntries: number;
  readonly maxBytes: number;
  /** Items of the transaction: the page, the head, a type page per type, a marker per stream. */
  readonly maxItems: number;
}

export const DEFAULT_PAGE_LIMITS: PageLimits = {
  maxEntries: MAX_PAGE_ENTRIES,
  maxBytes: MAX_PAGE_BYTES,
  maxItems: MAX_TRANSACTION_ITEMS,
};

/** A generous estimate of an entry's bytes in a DynamoDB item (names, numbers, overhead). */
const entryBytes = (entry: PendingEntry) =>
  Buffer.byteLength(entry.streamId) +
  Buffer.byteLength(entry.type) +
  entry.recordedAt.length +
  (entry.hash?.length ?? 0) +
  32;

/**
 * The next page to append after `head`: a prefix of `queue` (which must hold each stream's
 * events in version order, starting right after the stream's marker in `markers`), cut where
 * the page would exceed its limits or cross an epoch boundary. Pure, so it is tested without a
 * database; the indexer commits the plan in one transaction.
 */
// eslint-disable-next-line complexity, max-params -- predates the complexity cap; split when next changed; predates the parameter cap; take an options object when next changed
export function planPage(
  head: LogHead,
  queue: readonly PendingEntry[],
  markers: ReadonlyMap<string, number>,
  epochs: Epochs,
  limits: PageLimits = DEFAULT_PAGE_LIMITS,
): PagePlan | undefined {
  if (queue.length === 0) return undefined;
  const firstPosition = head.lastPosition + 1;
  const epoch = epochs.of(firstPosition);
  const room = Math.min(limits.maxEntries, epochs.last(epoch) - firstPosition + 1);
  const streams = new Map<string, { from: number; to: number }>();
  const types = new Map<string, TypeEntry[]>();
  const entries: PageEntry[] = [];
  let bytes = 0;
  for (const pending of queue) {
    if (entries.length >= room) break;
    const newStream = !streams.has(pending.streamId);
    const newType = !types.has(pending.type);
    const items = 2 + streams.size + types.size + (newStream ? 1 : 0) + (newType ? 1 : 0);
    const size = entryBytes(pending);
    if (entries.length > 0 && (items > limits.maxItems || bytes + size > limits.maxBytes)) break;
    const stream = streams.get(pending.streamId);
    const expected = (stream ? stream.to : (markers.get(pending.streamId) ?? 0)) + 1;
    if (pending.version !== expected) {
      // The indexer queues each stream's versions in order: a plain Error, for a fault of its own.
      throw new Error(
        `Stream '${pending.streamId}' queued version ${pending.version} where ${expected} was due`,
      );
    }
    const position = firstPosition + entries.length;
    entries.push({
      s: pending.streamId,
      v: pending.version,
      t: pending.type,
      r: pending.recordedAt,
      ...(pending.hash !== undefined ? { h: pending.hash } : {}),
    });
    streams.set(pending.streamId, { from: stream?.from ?? expected - 1, to: pending.version });
    const ofType = types.get(pending.type) ?? [];
    ofType.push({ p: position, s: pending.streamId, v: pending.version, r: pending.recordedAt });
    types.set(pending.type, ofType);
    bytes += size;
  }
  const lastPosition = firstPosition + entries.length - 1;
  const tallies: Record<string, TypeTally> = { ...head.types };
  const typePages = [...types].map(([type, typeEntries]): TypePagePlan => {
    const before = head.types[type];
    const sk = typeEntries.at(-1)!.p;
    tallies[type] = { last: sk, count: (before?.count ?? 0) + typeEntries.length };
    return { type, sk, previous: before?.last ?? 0, entries: typeEntries };
  });
  const newest = entries.reduce(
    (latest, entry) => (latest === undefined || entry.r > latest ? entry.r : latest),
    head.newestRecordedAt,
  );
  return {
    epoch,
    firstPosition,
    entries,
    typePages,
    markers: [...streams].map(([streamId, { from, to }]) => ({ streamId, from, to })),
    headBefore: head,
    headAfter: {
      lastPosition,
      pages: head.pages + 1,
      ...(newest ? { newestRecordedAt: newest } : {}),
      types: tallies,
    },
  };
}
