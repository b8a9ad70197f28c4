import { InvalidSettingError } from '../declaration/errors.js';
/**
 * Where the global log keeps what, in one table keyed by `pk` (string) and `sk` (number).
 *
 * - **Pages** (`pk = page#<epoch>`, `sk = first position`): the log itself. Each page holds the
 *   references (stream id, version, type, recordedAt, hash) of consecutive positions; pages are only
 *   ever inserted, so a position never changes once given.
 * - **Type pages** (`pk = type#<type>#<epoch>`, `sk = last position of that type in the page`):
 *   the positions of one event type in one page, written in the same transaction as the page.
 *   Each names the `sk` of the type's previous type page (`previous`), so a reader can tell a
 *   type page that is not visible yet from one that does not exist.
 * - **Stream markers** (`pk = stream#<streamId>`, `sk = 0`): the stream's last indexed version.
 * - **The head** (`pk = head`, `sk = 0`): the last position, and per type its last position and
 *   count. Every page append replaces it on the condition that it still ends where the appender
 *   read it: that condition is what makes positions unique and gap-free.
 *
 * Epochs split pages and type pages into partitions of `positionsPerEpoch` positions; a page
 * never crosses an epoch boundary, so the epoch of a position is arithmetic.
 */

/** Positions per epoch unless told otherwise. Must never change for an existing log. */
export const DEFAULT_POSITIONS_PER_EPOCH = 1_000_000;

/** DynamoDB's limit of items in one TransactWriteItems call. */
export const MAX_TRANSACTION_ITEMS = 100;

/** Entries of one page at most. */
export const MAX_PAGE_ENTRIES = 250;

/** Estimated bytes of one page's entries at most (an item may hold 400 KB). */
export const MAX_PAGE_BYTES = 64 * 1024;

/** Reference to one event at one position, as pages store it (short names keep pages small). */
export interface PageEntry {
  /** Stream id. */
  readonly s: string;
  /** Version in the stream. */
  readonly v: number;
  /** Event type. */
  readonly t: string;
  /** recordedAt of the event. */
  readonly r: string;
  /** The event's stored hash (what checkpoints seal); absent for an event stored unhashed. */
  readonly h?: string;
}

/** A type page's reference: a page entry without the type, with its position. */
export interface TypeEntry {
  /** Position in the log. */
  readonly p: number;
  readonly s: string;
  readonly v: number;
  readonly r: string;
}

export interface PageItem {
  readonly pk: string;
  /** First position of the page. */
  readonly sk: number;
  readonly entries: readonly PageEntry[];
  readonly indexedAt: string;
}

export interface TypePageItem {
  readonly pk: string;
  /** Last position of this type in the page. */
  readonly sk: number;
  /** `sk` of the type's previous type page (in any epoch); 0 for its first. */
  readonly previous: number;
  readonly entries: readonly TypeEntry[];
}

export interface TypeTally {
  /** Last position of the type. */
  readonly last: number;
  /** Events of the type in the log. */
  readonly count: number;
}

/** What the head says about the log. */
export interface LogHead {
  /** Last position; 0 while the log is empty. */
  readonly lastPosition: number;
  readonly pages: number;
  /** recordedAt of the newest event indexed so far (by recordedAt), if any. */
  readonly newestRecordedAt?: string;
  readonly types: Readonly<Record<string, TypeTally>>;
}

export const EMPTY_HEAD: LogHead = { lastPosition: 0, pages: 0, types: {} };

export const HEAD_KEY = { pk: 'head', sk: 0 } as const;

export const pagePartition = (epoch: number) => `page#${epoch}`;
export const typePartition = (type: string, epoch: number) => `type#${type}#${epoch}`;
export const streamMarkerKey = (streamId: string) => ({ pk: `stream#${streamId}`, sk: 0 });

/** Epoch arithmetic for one log. Positions start at 1. */
export class Epochs {
  constructor(readonly positionsPerEpoch: number = DEFAULT_POSITIONS_PER_EPOCH) {
    if (!Number.isSafeInteger(positionsPerEpoch) || positionsPerEpoch < 1) {
      throw new InvalidSettingError(
        'positionsPerEpoch',
        'positionsPerEpoch must be a positive integer',
      );
    }
  }

  of(position: number): number {
    return Math.floor((position - 1) / this.positionsPerEpoch);
  }

  first(epoch: number): number {
    return epoch * this.positionsPerEpoch + 1;
  }

  last(epoch: number): number {
    return (epoch + 1) * this.positionsPerEpoch;
  }
}

/** Physical names of the tables the global log uses. */
export interface GlobalLogTables {
  /** The log: pages, type pages, stream markers and the head. */
  readonly globalLog: string;
  /** The events table the log indexes (read only). */
  readonly events: string;
}
