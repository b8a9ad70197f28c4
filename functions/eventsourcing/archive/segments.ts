import { gunzipSync, gzipSync } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** An event item exactly as the events table held it. */
export type StoredItem = Record<string, AttributeValue>;

/** Consecutive versions of one stream, archived in one object. */
export interface SegmentRange {
  readonly streamId: string;
  readonly from: number;
  readonly to: number;
}

/**
 * Archived events are kept in segments: one S3 object per run of consecutive versions of one
 * stream, `streams/<streamId, URI-encoded>/<from>-<to>.jsonl.gz` with both versions padded to
 * 16 digits (so keys sort by version), holding gzip-compressed JSON Lines: one line per event,
 * the item's attribute values as DynamoDB returned them (`{"streamId":{"S":…},…}`). Nothing is
 * decoded or re-encoded on the way: the `data` and `meta` strings an event's hash covers are
 * the very bytes read back.
 */
const PAD = 16;
const SEGMENT_KEY = /^streams\/([^/]+)\/(\d{16})-(\d{16})\.jsonl\.gz$/;

export const streamPrefix = (streamId: string) => `streams/${encodeURIComponent(streamId)}/`;

export const segmentKey = ({ streamId, from, to }: SegmentRange): string =>
  `${streamPrefix(streamId)}${String(from).padStart(PAD, '0')}-${String(to).padStart(PAD, '0')}.jsonl.gz`;

/** The range a segment key names; undefined for any other key. */
export function segmentOf(key: string): SegmentRange | undefined {
  const match = SEGMENT_KEY.exec(key);
  if (!match) return undefined;
  return {
    streamId: decodeURIComponent(match[1]!),
    from: Number(match[2]),
    to: Number(match[3]),
  };
}

export function encodeSegment(items: readonly StoredItem[]): Buffer {
  return gzipSync(items.map((item) => `${JSON.stringify(item)}\n`).join(''));
}

export function decodeSegment(body: Uint8Array): StoredItem[] {
  return gunzipSync(body)
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as StoredItem);
}

/**
 * The segments that hold versions 1 to `archived`, in order: from version 1, each next one
 * starting where the one before ended. A crash can leave a segment that was written but never
 * marked as archived; where two start at the same version, the longest that does not pass
 * `archived` is the one the mark counts.
 */
export function segmentChain(
  segments: readonly SegmentRange[],
  archived: number,
): SegmentRange[] | undefined {
  const chain: SegmentRange[] = [];
  let next = 1;
  while (next <= archived) {
    const candidates = segments.filter((s) => s.from === next && s.to <= archived);
    if (candidates.length === 0) return undefined;
    const longest = candidates.reduce((a, b) => (b.to > a.to ? b : a));
    chain.push(longest);
    next = longest.to + 1;
  }
  return chain;
}

/** JSON with every object's keys sorted: the same for equal items whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Whether two lists hold the same items, attribute for attribute. */
export const sameItems = (a: readonly StoredItem[], b: readonly StoredItem[]): boolean =>
  a.length === b.length && a.every((item, i) => canonical(item) === canonical(b[i]));
