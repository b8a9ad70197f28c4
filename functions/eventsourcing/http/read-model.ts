import type { ReadModelItem } from '../projection.js';
import type { ReadModelReader } from '../projections/read-model-reader.js';
import { HttpError } from './errors.js';

/** Items read per request when a filter may discard some. */
const FILTERED_PAGE_SIZE = 100;

export interface PageRequest {
  readonly pk: string;
  /** Only items whose sort key starts with this. */
  readonly skPrefix: string;
  readonly limit: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string | undefined;
  readonly newestFirst?: boolean;
  /** Only items for which this holds (pages are read on until `limit` items are found). */
  readonly where?: (item: ReadModelItem) => boolean;
}

export interface Page {
  readonly items: ReadModelItem[];
  /** Present while more items may follow. */
  readonly nextCursor?: string;
}

/**
 * The continuation token of a listing names only the last sort key: the partition comes from
 * the request, so a token can never reach into another owner's or customer's items.
 */
function encodeCursor(sk: string): string {
  return Buffer.from(JSON.stringify({ sk }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, skPrefix: string): string {
  let sk: unknown;
  try {
    sk = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { sk?: unknown }).sk;
  } catch {
    sk = undefined;
  }
  if (typeof sk !== 'string' || !sk.startsWith(skPrefix)) {
    throw new HttpError(400, 'InvalidCursor', 'cursor is not one this listing returned', {
      fields: [{ in: 'query', field: 'cursor', message: 'is not a cursor this listing returned' }],
    });
  }
  return sk;
}

/** Where a listing stands: the items taken, where to read on, whether more may follow. */
interface Listing {
  readonly items: ReadModelItem[];
  startSk: string | undefined;
  more: boolean;
}

/**
 * Takes the items of one queried page that pass the filter, up to the limit; when it stops
 * inside the page, the listing reads on after the last item taken.
 */
function take(listing: Listing, page: readonly ReadModelItem[], request: PageRequest): void {
  for (const [index, item] of page.entries()) {
    if (request.where && !request.where(item)) continue;
    listing.items.push(item);
    if (listing.items.length === request.limit) {
      listing.more = listing.more || index < page.length - 1;
      listing.startSk = item.sk;
      return;
    }
  }
}

/** Pages of a projection's read model behind opaque cursors, for listing endpoints. */
export async function readPage(reader: ReadModelReader, request: PageRequest): Promise<Page> {
  const listing: Listing = {
    items: [],
    startSk:
      request.cursor === undefined ? undefined : decodeCursor(request.cursor, request.skPrefix),
    more: true,
  };
  while (listing.more && listing.items.length < request.limit) {
    const wanted = request.limit - listing.items.length;
    const { startSk } = listing;
    const page = await reader.query({
      pk: request.pk,
      skBeginsWith: request.skPrefix,
      limit: request.where ? Math.max(wanted, FILTERED_PAGE_SIZE) : wanted,
      forward: !request.newestFirst,
      ...(startSk === undefined ? {} : { startAfter: { pk: request.pk, sk: startSk } }),
    });
    listing.more = page.next !== undefined;
    listing.startSk = page.next?.sk;
    take(listing, page.items, request);
  }
  const { items, more, startSk } = listing;
  return { items, ...(more && startSk !== undefined ? { nextCursor: encodeCursor(startSk) } : {}) };
}

/** A read-model item without its keys: what the API returns. */
export function withoutKeys(item: ReadModelItem): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(item).filter(([name]) => name !== 'pk' && name !== 'sk'),
  );
}
