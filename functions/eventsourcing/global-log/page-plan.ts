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

/** What the next page is planned from. */
export interface PageInput {
  /** The log's head: the page starts right after its last position. */
  readonly head: LogHead;
  /** Events waiting for a position, each stream's in version order. */
  readonly queue: readonly PendingEntry[];
  /** Each stream's marker: the version the log holds it up to (absent: none yet). */
  readonly markers: ReadonlyMap<string, number>;
  readonly epochs: Epochs;
  readonly limits?: PageLimits;
}

/**
 * The next page to append after `head`: a prefix of `queue` (which must hold each stream's
 * events in version order, starting right after the stream's marker in `markers`), cut where
 * the page would exceed its limits or cross an epoch boundary. Pure, so it is tested without a
 * database; the indexer commits the plan in one transaction.
 */
export function planPage(input: PageInput): PagePlan | undefined {
  const { head, queue, markers, epochs, limits = DEFAULT_PAGE_LIMITS } = input;
  if (queue.length === 0) return undefined;
  const page = new PageBuilder(head, markers, epochs.of(head.lastPosition + 1));
  const room = Math.min(limits.maxEntries, epochs.last(page.epoch) - page.firstPosition + 1);
  for (const pending of queue) {
    if (page.entries.length >= room || !page.fits(pending, limits)) break;
    page.add(pending);
  }
  return page.plan();
}

/** The page being planned: its entries, and the streams and types they touch. */
class PageBuilder {
  readonly firstPosition: number;
  readonly entries: PageEntry[] = [];
  private readonly streams = new Map<string, { from: number; to: number }>();
  private readonly types = new Map<string, TypeEntry[]>();
  private bytes = 0;

  constructor(
    private readonly head: LogHead,
    private readonly markers: ReadonlyMap<string, number>,
    readonly epoch: number,
  ) {
    this.firstPosition = head.lastPosition + 1;
  }

  /** Whether the entry keeps the page within its limits; the first entry always fits. */
  fits(pending: PendingEntry, limits: PageLimits): boolean {
    if (this.entries.length === 0) return true;
    const newStream = this.streams.has(pending.streamId) ? 0 : 1;
    const newType = this.types.has(pending.type) ? 0 : 1;
    const items = 2 + this.streams.size + this.types.size + newStream + newType;
    return items <= limits.maxItems && this.bytes + entryBytes(pending) <= limits.maxBytes;
  }

  add(pending: PendingEntry): void {
    const stream = this.streams.get(pending.streamId);
    const expected = (stream ? stream.to : (this.markers.get(pending.streamId) ?? 0)) + 1;
    if (pending.version !== expected) {
      // The indexer queues each stream's versions in order: a plain Error, for a fault of its own.
      throw new Error(
        `Stream '${pending.streamId}' queued version ${pending.version} where ${expected} was due`,
      );
    }
    const position = this.firstPosition + this.entries.length;
    this.entries.push({
      s: pending.streamId,
      v: pending.version,
      t: pending.type,
      r: pending.recordedAt,
      ...(pending.hash !== undefined ? { h: pending.hash } : {}),
    });
    this.streams.set(pending.streamId, {
      from: stream?.from ?? expected - 1,
      to: pending.version,
    });
    const ofType = this.types.get(pending.type) ?? [];
    ofType.push({ p: position, s: pending.streamId, v: pending.version, r: pending.recordedAt });
    this.types.set(pending.type, ofType);
    this.bytes += entryBytes(pending);
  }

  plan(): PagePlan {
    const { head, entries } = this;
    const tallies: Record<string, TypeTally> = { ...head.types };
    const typePages = [...this.types].map(([type, typeEntries]): TypePagePlan => {
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
      epoch: this.epoch,
      firstPosition: this.firstPosition,
      entries,
      typePages,
      markers: [...this.streams].map(([streamId, { from, to }]) => ({ streamId, from, to })),
      headBefore: head,
      headAfter: {
        lastPosition: this.firstPosition + entries.length - 1,
        pages: head.pages + 1,
        ...(newest ? { newestRecordedAt: newest } : {}),
        types: tallies,
      },
    };
  }
}
