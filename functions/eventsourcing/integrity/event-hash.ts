import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { HashInput, ZERO_HASH, fromHex, sha256, toHex } from './encoding.js';

/** Names this encoding: a later one gets another name, so hashes of the two never collide. */
const EVENT_HASH_DOMAIN = 'dynamo-event-sourcing/event/v1';

/**
 * An event's fields exactly as its item stores them: `data` and `meta` are the stored JSON
 * strings, not the objects they decode to, so encrypting fields or moving the item to another
 * storage tier never changes what is hashed.
 */
export interface StoredEventFields {
  readonly streamId: string;
  readonly version: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly recordedAt: string;
  readonly data: string;
  /** Absent when the event has no metadata. */
  readonly meta: string | undefined;
}

/**
 * The hash of one event, chained to the hash of the event before it in its stream (hex), or to
 * 32 zero bytes for the stream's first hashed event. See docs/integrity.md for the encoding.
 */
export function eventHash(fields: StoredEventFields, previousHash: string | undefined): string {
  const input = new HashInput()
    .text(EVENT_HASH_DOMAIN)
    .raw(previousHash === undefined ? ZERO_HASH : fromHex(previousHash))
    .text(fields.streamId)
    .integer(fields.version)
    .text(fields.eventId)
    .text(fields.type)
    .integer(fields.schemaVersion)
    .text(fields.recordedAt)
    .text(fields.data)
    .optionalText(fields.meta);
  return toHex(sha256(input.bytes()));
}

/**
 * The stored fields of an event item in the compact layout; undefined for an item of the first
 * layout (maps instead of JSON strings), which was written before events were hashed.
 */
export function storedFieldsOf(
  item: Record<string, AttributeValue>,
): StoredEventFields | undefined {
  const data = item.data?.S;
  const at = item.at?.S;
  if (data === undefined || at === undefined) return undefined;
  return {
    streamId: item.streamId!.S!,
    version: Number(item.version!.N),
    eventId: item.eventId!.S!,
    type: item.type!.S!,
    schemaVersion: Number(item.sv?.N ?? 1),
    recordedAt: at,
    data,
    meta: item.meta?.S,
  };
}

/** The hash an item stores (attribute `h`), if any. Never trusted by the verifier. */
export const storedHashOf = (item: Record<string, AttributeValue>): string | undefined => item.h?.S;
