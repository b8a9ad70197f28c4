import type { AttributeValue, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

/**
 * Besides its events (versions from 1), a stream keeps two items in the events table under sort
 * keys no event can have:
 *
 * | version | item          | holds                                         | written by         |
 * |---------|---------------|-----------------------------------------------|--------------------|
 * | `0`     | head          | `last` version, its hash `h`, type `lastType` | every append       |
 * |         |               | and time `at`; `closed` once tombstoned (the  |                    |
 * |         |               | tombstone's version)                          |                    |
 * | `-1`    | archive mark  | `archived`: versions 1 to it are in S3        | the archiver alone |
 *
 * Every append puts the head in the same transaction as its events, conditional on the head
 * being at the version the append builds on (or absent: a stream written before heads, whose
 * event conditions still guard it) and not closed. Archived event items are deleted, after which
 * `attribute_not_exists(version)` on their versions holds again: the head is what keeps a stale
 * writer from re-creating them. The archiver creates the head of a stream before it archives
 * any of it, and archives only versions at or below the head, so an append (at `last + 1`) can
 * never land in the archived range. The mark is a separate item so that appends, which replace
 * the head whole (the events table takes no UpdateItem), never have to carry it.
 */
export const HEAD_VERSION = 0;
export const ARCHIVE_MARK_VERSION = -1;

/** What a stream's head says. */
export interface StreamHead {
  readonly streamId: string;
  /** The stream's last version. */
  readonly last: number;
  /** The hash of that version's event (absent for one stored before hashing). */
  readonly hash?: string;
  /** That event's type and `recordedAt`: what retention rules look at. */
  readonly lastType: string;
  readonly lastAt: string;
  /** The version of the tombstone that closed the stream, when it is closed. */
  readonly closed?: number;
}

/** The key of a stream's head or archive mark. */
export const headKey = (
  streamId: string,
  version: typeof HEAD_VERSION | typeof ARCHIVE_MARK_VERSION = HEAD_VERSION,
): Record<string, AttributeValue> => ({
  streamId: { S: streamId },
  version: { N: String(version) },
});

export function headItem(head: StreamHead): Record<string, AttributeValue> {
  return {
    ...headKey(head.streamId),
    last: { N: String(head.last) },
    lastType: { S: head.lastType },
    at: { S: head.lastAt },
    ...(head.hash === undefined ? {} : { h: { S: head.hash } }),
    ...(head.closed === undefined ? {} : { closed: { N: String(head.closed) } }),
  };
}

/** The head an item holds; undefined for any other item. */
export function readHead(item: Record<string, AttributeValue> | undefined): StreamHead | undefined {
  const fields = item ? unmarshall(item) : {};
  const { streamId, version, last, lastType, at, h, closed } = fields;
  if (typeof streamId !== 'string' || version !== HEAD_VERSION || typeof last !== 'number') {
    return undefined;
  }
  return {
    streamId,
    last,
    lastType: String(lastType ?? ''),
    lastAt: String(at ?? ''),
    ...(typeof h === 'string' ? { hash: h } : {}),
    ...(typeof closed === 'number' ? { closed } : {}),
  };
}

/**
 * The put of a stream's new head in an append's transaction: it holds only if the head is at
 * `previous` (or absent) and the stream is not closed.
 */
export function headPut(tableName: string, head: StreamHead, previous: number): TransactWriteItem {
  return {
    Put: {
      TableName: tableName,
      Item: headItem(head),
      ConditionExpression:
        'attribute_not_exists(#last) OR (#last = :previous AND attribute_not_exists(closed))',
      ExpressionAttributeNames: { '#last': 'last' },
      ExpressionAttributeValues: { ':previous': { N: String(previous) } },
    },
  };
}

/** A check, in a transaction, that a stream is still at `version` and open (or has no head). */
export function headCheck(tableName: string, streamId: string, version: number): TransactWriteItem {
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: headKey(streamId),
      ConditionExpression:
        'attribute_not_exists(#last) OR (#last = :version AND attribute_not_exists(closed))',
      ExpressionAttributeNames: { '#last': 'last' },
      ExpressionAttributeValues: { ':version': { N: String(version) } },
    },
  };
}

/** How far a stream is archived: versions 1 to the result are in S3 (0: none). */
export function readArchiveMark(item: Record<string, AttributeValue> | undefined): number {
  return Number(item?.archived?.N ?? 0);
}

export function archiveMarkItem(
  streamId: string,
  archived: number,
): Record<string, AttributeValue> {
  return { ...headKey(streamId, ARCHIVE_MARK_VERSION), archived: { N: String(archived) } };
}
